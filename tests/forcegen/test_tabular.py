"""CSV/XLSX import and export: atomic, located errors, export → import is a no-op."""

from __future__ import annotations

import io

import openpyxl
import pytest

from stabforce.core.importing import ImportFailed
from stabforce.forcegen import tabular
from stabforce.forcegen.models import Pledge, Requirement
from stabforce.forcegen.services import ForcegenError


def csv_of(rows, columns):
    return tabular.to_csv(columns, rows)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["requirements", "pledges"])
def test_an_export_imports_back_as_a_no_op(users, gaza, kind, file_format):
    content, name, _ = tabular.export_file(kind, users["hq"], gaza, file_format)
    importer = getattr(tabular, f"import_{kind}")
    history_before = Pledge.history.count() + Requirement.history.count()
    report = importer(users["hq"], gaza, name, content)
    assert report.created == report.updated == 0 and report.unchanged > 0
    assert Pledge.history.count() + Requirement.history.count() == history_before


def test_bad_rows_are_all_reported_by_line_and_field_and_nothing_is_written(users, gaza):
    rows = tabular.export_requirements(users["hq"], gaza)
    rows[0]["units"] = "3,5k"
    rows[2]["capability"] = "submarine"
    rows[3]["needed_from"] = "next spring"
    rows[4]["priority"] = "9"
    rows.append({**rows[5], "key": "brand-new"})
    before = Requirement.objects.count()
    with pytest.raises(ImportFailed) as failure:
        tabular.import_requirements(
            users["hq"], gaza, "sor.csv", csv_of(rows, tabular.REQUIREMENT_COLUMNS)
        )
    text = str(failure.value)
    assert "sor.csv, line 2, field `units`: expected a whole number, got '3,5k'" in text
    assert "line 4, field `capability`: no capability with key 'submarine'" in text
    assert "line 5, field `needed_from`: expected a date as YYYY-MM-DD" in text
    assert "line 6, field `priority`: must be one of" in text
    assert Requirement.objects.count() == before


def test_a_status_change_in_a_sheet_goes_through_the_lifecycle(users, gaza):
    rows = tabular.export_pledges(users["hq"], gaza)
    idn = next(row for row in rows if row["key"] == "idn-contingent")
    idn["status"] = "deployed"
    idn["status_since"] = "2026-04-01"
    pak = next(row for row in rows if row["key"] == "pak-infantry")
    pak["status"] = "committed"
    pak["status_since"] = "2026-03-01"
    with pytest.raises(ImportFailed) as failure:
        tabular.import_pledges(users["hq"], gaza, "p.csv", csv_of(rows, tabular.PLEDGE_COLUMNS))
    assert "blocking conditions still open" in str(failure.value)
    # all or nothing: Indonesia's valid change was rolled back too
    assert Pledge.objects.get(key="idn-contingent").status == "committed"

    pak["status"], pak["status_since"] = "considering", "2025-11-30"
    report = tabular.import_pledges(
        users["hq"], gaza, "p.csv", csv_of(rows, tabular.PLEDGE_COLUMNS)
    )
    assert report.updated == 1
    idn_pledge = Pledge.objects.get(key="idn-contingent")
    assert idn_pledge.status == "deployed"
    assert idn_pledge.status_changes.last().source.key == idn["source"]


def test_a_new_figure_from_a_sheet_keeps_the_old_one(users, gaza):
    rows = tabular.export_pledges(users["hq"], gaza)
    kaz = next(row for row in rows if row["key"] == "kaz-troops")
    kaz["personnel"], kaz["qualifier"] = "650", ""
    tabular.import_pledges(users["hq"], gaza, "p.csv", csv_of(rows, tabular.PLEDGE_COLUMNS))
    pledge = Pledge.objects.get(key="kaz-troops")
    assert pledge.personnel == 650
    assert sorted(pledge.figures.values_list("personnel", "chosen")) == [(650, True), (800, False)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("p.csv", b"", "the file is empty"),
        ("p.csv", b"key,nation\n\xff\xfe", "not UTF-8 text (byte 11"),
        ("p.txt", b"a,b", "expected a .csv or .xlsx file"),
        ("p.xlsx", b"not a zip", "not a readable XLSX workbook"),
        ("p.csv", b"key,nation,colour\nx,PAK,red\n", "field `colour`: unknown column"),
    ],
)
def test_unreadable_files_get_a_clear_message(users, gaza, name, content, message):
    with pytest.raises(ImportFailed) as failure:
        tabular.import_pledges(users["hq"], gaza, name, content)
    assert message in str(failure.value)


def test_xlsx_dates_and_numbers_are_read_as_typed(users, gaza):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(tabular.REQUIREMENT_COLUMNS)
    import datetime as dt

    sheet.append(
        [
            "new-eod",
            "eod-team",
            "demilitarisation",
            "rafah",
            2.0,
            24,
            dt.datetime(2026, 5, 1),
            None,
            1,
            "",
            False,
            "all",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = tabular.import_requirements(users["hq"], gaza, "sor.xlsx", buffer.getvalue())
    assert report.created == 1
    created = Requirement.objects.get(key="new-eod")
    assert (created.units, created.needed_from.isoformat()) == (2, "2026-05-01")


def test_only_hq_imports(users, gaza):
    content, name, _ = tabular.export_file("pledges", users["hq"], gaza, "csv")
    with pytest.raises(ForcegenError):
        tabular.import_pledges(users["lno_pak"], gaza, name, content)
