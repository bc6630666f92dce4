"""The scenario loader: the Gaza demo loads, reloads as a no-op, and bad files are refused
whole with located messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from stabforce.core.importing import ImportFailed
from stabforce.core.models import (
    ControlLine,
    Crossing,
    Evidence,
    LineOfOperation,
    Mission,
    Party,
    Sector,
    Source,
)
from stabforce.scenarios.loader import GAZA_ISF, load_scenario


@pytest.fixture
def scenario_copy(tmp_path: Path) -> Path:
    target = tmp_path / "scenario"
    shutil.copytree(GAZA_ISF, target)
    return target


def edit_yaml(path: Path, change) -> None:
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True))


def test_gaza_demo_has_five_sectors_crossings_and_sources(gaza):
    assert gaza.authorised_until.isoformat() == "2027-12-31"
    sectors = Sector.objects.filter(mission=gaza)
    assert sorted(sectors.values_list("name", flat=True)) == [
        "Deir al-Balah",
        "Gaza",
        "Khan Younis",
        "North Gaza",
        "Rafah",
    ]
    # geoBoundaries areas, measured on the ellipsoid: the five add up to the Strip (~365 km²).
    assert 355 < sum(s.area_km2 for s in sectors) < 370
    assert LineOfOperation.objects.filter(mission=gaza).count() == 6
    approximate = Crossing.objects.filter(mission=gaza, position_precision="approximate")
    assert sorted(approximate.values_list("key", flat=True)) == ["kissufim", "zikim"]
    # every party, sector, crossing and control line rests on at least one source
    for model in (Party, Sector, Crossing, ControlLine, LineOfOperation):
        for record in model.objects.filter(mission=gaza):
            assert Evidence.objects.filter(
                object_id=record.pk, content_type__model=model._meta.model_name
            ).exists(), f"{model.__name__} {record} has no source"


def test_reloading_the_same_scenario_changes_nothing(gaza):
    history_before = Source.history.count() + Sector.history.count() + Crossing.history.count()
    report = load_scenario(GAZA_ISF)
    assert not report.changed
    assert report.unchanged["sectors"] == 5
    history_after = Source.history.count() + Sector.history.count() + Crossing.history.count()
    assert history_after == history_before


def test_a_changed_value_updates_one_record_and_keeps_history(gaza, scenario_copy):
    def close_kerem_shalom(document):
        crossing = next(c for c in document["crossings"] if c["key"] == "kerem-shalom")
        crossing["status"] = "closed"

    edit_yaml(scenario_copy / "mission.yaml", close_kerem_shalom)
    report = load_scenario(scenario_copy)
    assert report.updated == {"crossings": 1}
    crossing = Crossing.objects.get(mission=gaza, key="kerem-shalom")
    assert crossing.status == "closed"
    assert [h.status for h in crossing.history.order_by("history_date")] == ["open", "closed"]


def test_bad_records_are_all_reported_and_nothing_is_written(gaza, scenario_copy):
    def break_things(document):
        document["crossings"][0]["position"] = [34.2, "north"]
        document["crossings"][1]["border_nation"] = "XXX"
        document["parties"][0]["kind"] = "superpower"
        document["lines_of_operation"].append(
            {"key": "new-task", "name": "New task", "sources": ["nope"]}
        )

    edit_yaml(scenario_copy / "mission.yaml", break_things)
    with pytest.raises(ImportFailed) as failure:
        load_scenario(scenario_copy)
    messages = [str(problem) for problem in failure.value.problems]
    assert any("crossings[0] (kerem-shalom), field `position`" in m for m in messages)
    assert any(
        "field `border_nation`: unknown ISO alpha-3 nation code 'XXX'" in m for m in messages
    )
    assert any("parties[0] (israel), field `kind`: must be one of" in m for m in messages)
    assert any("field `sources`: no source with key 'nope'" in m for m in messages)
    assert not LineOfOperation.objects.filter(key="new-task").exists()


def test_invalid_polygon_names_file_and_feature(gaza, scenario_copy):
    path = scenario_copy / "sectors.geojson"
    text = path.read_text()
    import json

    collection = json.loads(text)
    ring = collection["features"][0]["geometry"]["coordinates"][0]
    # a bow-tie: swap two vertices so the ring crosses itself
    ring[1], ring[len(ring) // 2] = ring[len(ring) // 2], ring[1]
    path.write_text(json.dumps(collection))
    with pytest.raises(ImportFailed) as failure:
        load_scenario(scenario_copy)
    assert any(
        p.file == "sectors.geojson" and p.field == "geometry" and "invalid Polygon" in p.message
        for p in failure.value.problems
    )


def test_unknown_field_and_missing_file_are_reported(db, scenario_copy):
    (scenario_copy / "sources.yaml").unlink()
    edit_yaml(scenario_copy / "mission.yaml", lambda d: d["mission"].update(mandat="typo"))
    with pytest.raises(ImportFailed) as failure:
        load_scenario(scenario_copy)
    text = str(failure.value)
    assert "sources.yaml: file is missing" in text
    assert "nothing was written" in text


def test_a_second_mission_is_just_another_directory(gaza, scenario_copy):
    def rename(document):
        document["mission"]["slug"] = "other-mission"
        document["mission"]["name"] = "Another multinational force"

    edit_yaml(scenario_copy / "mission.yaml", rename)
    report = load_scenario(scenario_copy)
    assert report.mission.slug == "other-mission"
    assert Mission.objects.count() == 2
    assert Sector.objects.filter(mission=report.mission).count() == 5
