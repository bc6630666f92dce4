"""CSV and XLSX import and export of requirements and pledges.

One framework for both tables: parse the file into rows, validate every row (problems name
the line and the column), then write everything in one transaction through the services.
An exported file imports back as a no-op, so a planner can export, edit a few cells in a
spreadsheet and import again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch

from stabforce.core.choices import Releasability
from stabforce.core.importing import ImportFailed, Problems, RecordReader
from stabforce.core.models import LineOfOperation, Mission, Nation, Sector, Source
from stabforce.forcegen import services
from stabforce.forcegen.choices import PledgeStatus, Priority, Readiness
from stabforce.forcegen.models import Capability, Pledge, PledgeStatusChange, Requirement

MAX_ROWS = 50_000
MAX_PERSONNEL = 1_000_000  # larger is a typing error, and would overflow some databases
MAX_UNITS = 10_000
MAX_BYTES = 20 * 1024 * 1024
QUALIFIERS = ["", "up_to", "about", "estimate"]


REQUIREMENT_COLUMNS = [
    "key", "capability", "line_of_operation", "sector", "units", "personnel", "needed_from",
    "needed_until", "priority", "notes", "synthetic", "releasability",
]  # fmt: skip
PLEDGE_COLUMNS = [
    "key", "nation", "capability", "personnel", "qualifier", "units", "status", "status_since",
    "source", "line_of_operation", "sector", "readiness", "available_from", "duration_months",
    "roles", "equipment_notes", "releasability",
]  # fmt: skip


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


# --- reading files --------------------------------------------------------------------------


def read_rows(name: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) pairs from a CSV or XLSX file; ImportFailed when unreadable."""
    if len(content) > MAX_BYTES:
        raise ImportFailed([_file_problem(name, f"larger than {MAX_BYTES // 1024 // 1024} MB")])
    if not content.strip():
        raise ImportFailed([_file_problem(name, "the file is empty")])
    if name.lower().endswith(".xlsx"):
        rows = _xlsx_rows(name, content)
    elif name.lower().endswith(".csv"):
        rows = _csv_rows(name, content)
    else:
        raise ImportFailed([_file_problem(name, "expected a .csv or .xlsx file")])
    if len(rows) > MAX_ROWS:
        raise ImportFailed([_file_problem(name, f"more than {MAX_ROWS:,} rows")])
    return rows


def _file_problem(name: str, message: str):
    from stabforce.core.importing import Problem

    return Problem(name, "", "", message)


def _csv_rows(name: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            [_file_problem(name, f"not UTF-8 text (byte {exc.start} cannot be decoded)")]
        ) from None
    if "\x00" in text:
        raise ImportFailed([_file_problem(name, "binary content, not a CSV file")])
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    try:
        for row in reader:
            if None in row:
                raise ImportFailed(
                    [_file_problem(name, f"line {reader.line_num}: more cells than columns")]
                )
            rows.append((reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items()}))
    except csv.Error as exc:
        raise ImportFailed([_file_problem(name, f"line {reader.line_num}: {exc}")]) from None
    return rows


def _xlsx_rows(name: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFailed([_file_problem(name, f"not a readable XLSX workbook ({exc})")]) from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    header = [str(cell).strip() if cell is not None else "" for cell in next(iterator, [])]
    rows = []
    for number, values in enumerate(iterator, start=2):
        if all(value is None or value == "" for value in values):
            continue
        rows.append(
            (number, {header[i]: _cell(value) for i, value in enumerate(values) if i < len(header)})
        )
    workbook.close()
    return rows


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _check_header(name: str, rows, expected: list[str], required: set[str], problems: Problems):
    present = set(rows[0][1]) if rows else set()
    for column in sorted(required - present):
        problems.add(name, "header", column, "required column is missing")
    for column in sorted(present - set(expected)):
        problems.add(name, "header", column, "unknown column")


# --- writing files --------------------------------------------------------------------------


def to_csv(columns: list[str], rows: Iterable[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def to_xlsx(columns: list[str], rows: Iterable[dict[str, Any]], title: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def export_requirements(user, mission: Mission) -> list[dict[str, str]]:
    records = (
        Requirement.objects.visible_to(user)
        .filter(mission=mission)
        .select_related("capability", "line_of_operation", "sector")
        .order_by("key")
    )
    return [
        {
            "key": r.key,
            "capability": r.capability.key,
            "line_of_operation": r.line_of_operation.key,
            "sector": r.sector.key if r.sector_id else "",
            "units": _text(r.units),
            "personnel": _text(r.personnel),
            "needed_from": _text(r.needed_from),
            "needed_until": _text(r.needed_until),
            "priority": _text(r.priority),
            "notes": r.notes,
            "synthetic": _text(r.synthetic),
            "releasability": r.releasability,
        }
        for r in records
    ]


def export_pledges(user, mission: Mission) -> list[dict[str, str]]:
    records = (
        Pledge.objects.visible_to(user)
        .filter(mission=mission)
        .select_related("nation", "capability", "line_of_operation", "sector")
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=PledgeStatusChange.objects.visible_to(user).select_related("source"),
            )
        )
        .order_by("key")
    )
    visible_sources = set(Source.objects.visible_to(user).values_list("pk", flat=True))
    rows = []
    for p in records:
        changes = list(p.status_changes.all())
        latest = max(changes, key=lambda change: (change.effective, change.pk), default=None)
        cited = latest is not None and latest.source_id in visible_sources
        rows.append(
            {
                "key": p.key,
                "nation": p.nation.iso3,
                "capability": p.capability.key,
                "personnel": _text(p.personnel),
                "qualifier": p.personnel_qualifier,
                "units": _text(p.units),
                "status": p.status,
                "status_since": _text(p.status_since),
                "source": latest.source.key if cited else "",
                "line_of_operation": p.line_of_operation.key if p.line_of_operation_id else "",
                "sector": p.sector.key if p.sector_id else "",
                "readiness": p.readiness,
                "available_from": _text(p.available_from),
                "duration_months": _text(p.duration_months),
                "roles": p.roles,
                "equipment_notes": p.equipment_notes,
                "releasability": p.releasability,
            }
        )
    return rows


# --- importing ------------------------------------------------------------------------------


class _Lookups:
    def __init__(self, mission: Mission):
        self.capabilities = {c.key: c for c in Capability.objects.filter(mission=mission)}
        self.lines = {c.key: c for c in LineOfOperation.objects.filter(mission=mission)}
        self.sectors = {c.key: c for c in Sector.objects.filter(mission=mission)}
        self.sources = {c.key: c for c in Source.objects.filter(mission=mission)}
        self.nations = {n.iso3: n for n in Nation.objects.all()}

    def ref(self, reader: RecordReader, field: str, table: dict, what: str, required=True):
        key = reader.get(field, required=required)
        if key and key not in table:
            reader._problem(field, f"no {what} with key {key!r} in this mission")
            return None
        return table.get(key) if key else None


def _require_hq(user) -> None:
    if not user.is_hq:
        raise services.ForcegenError("Only HQ planners and administrators import tables.")


def import_requirements(user, mission: Mission, name: str, content: bytes) -> ImportReport:
    """Create or update requirements from a CSV/XLSX file; all rows or none."""
    _require_hq(user)
    rows = read_rows(name, content)
    problems = Problems()
    _check_header(name, rows, REQUIREMENT_COLUMNS, {"key", "capability", "line_of_operation",
                  "units", "personnel", "needed_from", "priority"}, problems)  # fmt: skip
    problems.raise_if_any()
    lookups = _Lookups(mission)
    validated, seen = [], set()
    for line, row in rows:
        reader = RecordReader(problems, name, f"line {line}", row)
        values = {
            "capability": lookups.ref(reader, "capability", lookups.capabilities, "capability"),
            "line_of_operation": lookups.ref(
                reader, "line_of_operation", lookups.lines, "line of operation"
            ),
            "sector": lookups.ref(reader, "sector", lookups.sectors, "sector", required=False),
            "units": reader.get("units", int, check=_units),
            "personnel": reader.get("personnel", int, check=_not_negative),
            "needed_from": reader.get("needed_from", dt.date),
            "needed_until": reader.get("needed_until", dt.date, required=False),
            "priority": reader.get("priority", int, choices=Priority.values),
            "notes": reader.get("notes", required=False, default=""),
            "synthetic": reader.get("synthetic", bool, required=False, default=False),
            "releasability": reader.get(
                "releasability", required=False, default="all", choices=Releasability.values
            ),
        }
        key = reader.get("key")
        if key in seen:
            reader._problem("key", f"duplicate key {key!r} in this file")
        seen.add(key)
        if (values["needed_until"] and values["needed_from"]
                and values["needed_until"] <= values["needed_from"]):  # fmt: skip
            reader._problem("needed_until", "must be after needed_from")
        if reader.ok:
            validated.append((key, values))
    problems.raise_if_any()
    report = ImportReport()
    with transaction.atomic():
        existing = {r.key: r for r in Requirement.objects.filter(mission=mission)}
        for key, values in validated:
            record = existing.get(key)
            if record is None:
                Requirement.objects.create(mission=mission, key=key, **values)
                report.created += 1
            elif any(getattr(record, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(record, field, value)
                record.save()
                report.updated += 1
            else:
                report.unchanged += 1
    return report


def _not_negative(value: int) -> str | None:
    if value < 0:
        return "must not be negative"
    return None if value <= MAX_PERSONNEL else f"must be at most {MAX_PERSONNEL:,}"


def _positive_personnel(value: int) -> str | None:
    return "must be at least 1" if value < 1 else _not_negative(value)


def _units(value: int) -> str | None:
    if value < 1:
        return "must be at least 1"
    return None if value <= MAX_UNITS else f"must be at most {MAX_UNITS:,}"


def import_pledges(user, mission: Mission, name: str, content: bytes) -> ImportReport:
    """Create or update pledges from a CSV/XLSX file; all rows or none.

    A new row creates a pledge with its status citing the row's source on ``status_since``;
    a changed status moves the pledge through the lifecycle with that citation (refused rows
    are reported with the lifecycle's message); a changed personnel figure is recorded as a
    new chosen figure from that source, so the earlier one stays visible.
    """
    _require_hq(user)
    rows = read_rows(name, content)
    problems = Problems()
    _check_header(name, rows, PLEDGE_COLUMNS, {"key", "nation", "capability", "personnel",
                  "status", "status_since", "source"}, problems)  # fmt: skip
    problems.raise_if_any()
    lookups = _Lookups(mission)
    validated, seen = [], set()
    for line, row in rows:
        reader = RecordReader(problems, name, f"line {line}", row)
        nation_code = reader.get("nation")
        nation = lookups.nations.get(nation_code.upper()) if nation_code else None
        if nation_code and nation is None:
            reader._problem("nation", f"unknown ISO alpha-3 nation code {nation_code!r}")
        values = {
            "nation": nation,
            "capability": lookups.ref(reader, "capability", lookups.capabilities, "capability"),
            "personnel": reader.get("personnel", int, check=_positive_personnel),
            "qualifier": reader.get("qualifier", required=False, default="", choices=QUALIFIERS),
            "units": reader.get("units", int, required=False, default=1, check=_units),
            "status": reader.get("status", choices=PledgeStatus.values),
            "status_since": reader.get("status_since", dt.date),
            "source": lookups.ref(reader, "source", lookups.sources, "source"),
            "line_of_operation": lookups.ref(
                reader, "line_of_operation", lookups.lines, "line of operation", required=False
            ),
            "sector": lookups.ref(reader, "sector", lookups.sectors, "sector", required=False),
            "readiness": reader.get(
                "readiness", required=False, default="L1", choices=Readiness.values
            ),
            "available_from": reader.get("available_from", dt.date, required=False),
            "duration_months": reader.get("duration_months", int, required=False),
            "roles": reader.get("roles", required=False, default=""),
            "equipment_notes": reader.get("equipment_notes", required=False, default=""),
            "releasability": reader.get(
                "releasability", required=False, default="all", choices=Releasability.values
            ),
        }
        key = reader.get("key")
        if key in seen:
            reader._problem("key", f"duplicate key {key!r} in this file")
        seen.add(key)
        if reader.ok:
            validated.append((line, key, values))
    problems.raise_if_any()

    report = ImportReport()
    detail_fields = ["units", "line_of_operation", "sector", "readiness", "available_from",
                     "duration_months", "roles", "equipment_notes", "releasability"]  # fmt: skip
    with transaction.atomic():
        existing = {p.key: p for p in Pledge.objects.filter(mission=mission)}
        for line, key, values in validated:
            citation = services.Citation(values["source"], values["status_since"])
            pledge = existing.get(key)
            try:
                if pledge is None:
                    services.create_pledge(
                        mission=mission, key=key, nation=values["nation"],
                        capability=values["capability"], personnel=values["personnel"],
                        qualifier=values["qualifier"], status=values["status"],
                        citation=citation, **{f: values[f] for f in detail_fields},
                    )  # fmt: skip
                    report.created += 1
                    continue
                changed = False
                if pledge.nation_id != values["nation"].pk or (
                    pledge.capability_id != values["capability"].pk
                ):
                    raise services.ForcegenError(
                        "nation and capability of an existing pledge cannot change; "
                        "withdraw it and add a new one",
                        "nation",
                    )
                if values["status"] != pledge.status:
                    services.change_status(pledge, values["status"], citation)
                    pledge.refresh_from_db()
                    changed = True
                if (values["personnel"], values["qualifier"]) != (
                    pledge.personnel, pledge.personnel_qualifier
                ):  # fmt: skip
                    services.record_figure(
                        pledge, values["personnel"], citation,
                        qualifier=values["qualifier"], choose=True,
                    )  # fmt: skip
                    pledge.refresh_from_db()
                    changed = True
                differs = [f for f in detail_fields if getattr(pledge, f) != values[f]]
                if differs:
                    for field in differs:
                        setattr(pledge, field, values[field])
                    pledge.save()
                    if "releasability" in differs:
                        services.sync_child_release(pledge)
                    changed = True
                if changed:
                    report.updated += 1
                else:
                    report.unchanged += 1
            except services.ForcegenError as exc:
                problems.add(name, f"line {line}", exc.field or "status", exc.message)
        # Lifecycle refusals surface only while writing: undo every row, report them all.
        if problems:
            transaction.set_rollback(True)
    problems.raise_if_any()
    return report


def export_file(kind: str, user, mission: Mission, file_format: str) -> tuple[bytes, str, str]:
    """(content, filename, content type) of an export."""
    rows, columns = {
        "requirements": (export_requirements, REQUIREMENT_COLUMNS),
        "pledges": (export_pledges, PLEDGE_COLUMNS),
    }[kind]
    data = rows(user, mission)
    stem = f"{mission.slug}-{kind}"
    if file_format == "xlsx":
        return (
            to_xlsx(columns, data, kind),
            f"{stem}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return to_csv(columns, data), f"{stem}.csv", "text/csv; charset=utf-8"


__all__ = [
    "ImportReport", "PLEDGE_COLUMNS", "REQUIREMENT_COLUMNS", "export_file", "export_pledges",
    "export_requirements", "import_pledges", "import_requirements", "read_rows",
]  # fmt: skip
