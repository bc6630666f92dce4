"""Derive the demo's SCHEMATIC IDF withdrawal line and held area.

The real line's course is not published in the sources the demo uses; only the share of the
Strip held (about 53%) is. This draws a line parallel to the Strip's long axis, placed so the
side towards Israel holds that share, and labels the result schematic everywhere it is shown.

usage: python scripts/derive_schematic_control_line.py OUTLINE.geojson OUT.geojson [SHARE]
"""

import json
import math
import sys

import shapely
from shapely import affinity
from shapely.geometry import LineString, Point, box, mapping, shape

NOTE = (
    "SCHEMATIC. Not a trace of the real IDF withdrawal ('yellow') line, whose course is not "
    "public in the sources used. A line parallel to the Strip's long axis, placed so that the "
    "side towards Israel holds {share:.0%} of the Strip's area, as reported (Daily Sabah and "
    "other outlets). Made by scripts/derive_schematic_control_line.py."
)


def main(outline_path: str, out_path: str, share: float = 0.53) -> None:
    with open(outline_path) as handle:
        outline = shape(json.load(handle)["features"][0]["geometry"])
    rectangle = list(outline.minimum_rotated_rectangle.exterior.coords)
    start, end = max(zip(rectangle, rectangle[1:], strict=False), key=lambda edge: math.dist(*edge))
    angle = math.degrees(math.atan2(end[1] - start[1], end[0] - start[0]))
    centre = outline.centroid
    aligned = affinity.rotate(outline, -angle, origin=centre)
    min_x, min_y, max_x, max_y = aligned.bounds
    israel_side = affinity.rotate(Point(34.55, 31.40), -angle, origin=centre)
    israel_is_low = israel_side.y < min_y

    def held_part(cut: float):
        if israel_is_low:
            return aligned.intersection(box(min_x - 1, min_y - 1, max_x + 1, cut))
        return aligned.intersection(box(min_x - 1, cut, max_x + 1, max_y + 1))

    low, high = min_y, max_y
    for _ in range(60):
        cut = (low + high) / 2
        grows_with_cut = israel_is_low
        if (held_part(cut).area / aligned.area < share) == grows_with_cut:
            low = cut
        else:
            high = cut
    cut = (low + high) / 2
    line = LineString([(min_x - 0.01, cut), (max_x + 0.01, cut)]).intersection(aligned)
    zone = affinity.rotate(held_part(cut), angle, origin=centre)
    line = affinity.rotate(line, angle, origin=centre)
    collection = {
        "type": "FeatureCollection",
        "name": "control_lines_schematic",
        "note": NOTE.format(share=share),
        "features": [
            {
                "type": "Feature",
                "properties": {"key": "idf-withdrawal-line", "kind": "line"},
                "geometry": mapping(shapely.set_precision(line, 1e-6)),
            },
            {
                "type": "Feature",
                "properties": {"key": "idf-held-area", "kind": "zone"},
                "geometry": mapping(shapely.set_precision(zone, 1e-6)),
            },
        ],
    }
    with open(out_path, "w") as handle:
        json.dump(collection, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(float(arg) for arg in sys.argv[3:4]))
