"""`stabforce forcegen gaps`: the gap analysis on the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stabforce.core.importing import ImportFailed
from stabforce.core.models import Mission, User
from stabforce.core.views import mission_today
from stabforce.forcegen import tabular
from stabforce.forcegen.queries import gap_report
from stabforce.forcegen.services import ForcegenError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: expected a date as YYYY-MM-DD, got {text!r}") from None


class Command(BaseCommand):
    help = (
        "Force generation on the command line. `forcegen gaps [--as-of DATE] [--json]` prints "
        "required vs pledged per capability × line of operation × sector, and the force totals "
        "— the same figures as the gap dashboard and the API. `forcegen export` and "
        "`forcegen import` move requirements and pledges through CSV/XLSX."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        gaps = actions.add_parser("gaps", help="the gap analysis as of a date")
        gaps.add_argument(
            "--as-of",
            default=None,
            help="valid-time date YYYY-MM-DD (default: today in the mission's time zone)",
        )
        gaps.add_argument("--mission", default=None, help="mission slug (default: the only one)")
        gaps.add_argument(
            "--user", default="admin", help="read with this user's visibility (default admin)"
        )
        gaps.add_argument("--json", action="store_true", help="print JSON instead of a table")
        for name, text in (("import", "import a CSV/XLSX table (all rows or none)"),
                           ("export", "export a table as CSV or XLSX")):  # fmt: skip
            sub = actions.add_parser(name, help=text)
            sub.add_argument("table", choices=["requirements", "pledges"])
            if name == "import":
                sub.add_argument("file", help="a .csv or .xlsx file")
            else:
                sub.add_argument("--format", choices=["csv", "xlsx"], default="csv")
                sub.add_argument("--output", "-o", default="-", help="file (default stdout)")
            sub.add_argument("--mission", default=None, help="mission slug")
            sub.add_argument("--user", default="admin", help="act as this user (default admin)")

    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user {options['user']!r}")
        missions = Mission.objects.visible_to(user)
        if options["mission"]:
            mission = missions.filter(slug=options["mission"]).first()
            if mission is None:
                raise CommandError(f"--mission: no mission {options['mission']!r} for this user")
        else:
            if missions.count() != 1:
                slugs = ", ".join(missions.values_list("slug", flat=True)) or "none"
                raise CommandError(f"--mission is needed; missions: {slugs}")
            mission = missions.get()
        if options["action"] == "import":
            self._import(user, mission, options)
            return
        if options["action"] == "export":
            content, _name, _type = tabular.export_file(
                options["table"], user, mission, options["format"]
            )
            if options["output"] == "-":
                self.stdout.write(content.decode("utf-8"), ending="")
            else:
                with open(options["output"], "wb") as handle:
                    handle.write(content)
            return
        # as the web pages: today is the date where the mission is
        day = _date(options["as_of"]) if options["as_of"] else mission_today(mission)
        report = gap_report(user, mission, day)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        self.stdout.write(render_table(report.as_dict()))

    def _import(self, user, mission, options) -> None:
        importer = {
            "requirements": tabular.import_requirements,
            "pledges": tabular.import_pledges,
        }[options["table"]]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist")
        try:
            report = importer(user, mission, path.name, path.read_bytes())
        except (ImportFailed, ForcegenError) as exc:
            raise CommandError(str(exc)) from exc
        counts = report.as_dict()
        self.stdout.write(", ".join(f"{n} {label}" for label, n in counts.items()))


def render_table(data: dict) -> str:
    """A readable plain-text table of the gap analysis."""
    head = ("Capability", "Line of operation", "Sector", "Pri", "Required", "Firm",
            "Offered", "Consid.", "Shortfall")  # fmt: skip
    rows = [
        (
            cell["capability_name"],
            cell["line_of_operation_name"],
            cell["sector_name"],
            str(cell["priority"]),
            f"{cell['required_personnel']:,}",
            f"{cell['firm']:,}",
            f"{cell['pledged']['offered']:,}",
            f"{cell['pledged']['considering']:,}",
            f"{cell['shortfall']:,}",
        )
        for cell in data["cells"]
    ]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    numeric = {3, 4, 5, 6, 7, 8}

    def line(row):
        return "  ".join(
            value.rjust(widths[i]) if i in numeric else value.ljust(widths[i])
            for i, value in enumerate(row)
        )

    totals = data["totals"]
    lines = [f"Gap analysis — {data['mission']} as of {data['as_of']}"]
    if data["synthetic_requirements"]:
        lines.append("(requirement breakdown is SYNTHETIC: a planning assumption)")
    lines += [line(head), line(tuple("-" * w for w in widths)), *map(line, rows), ""]
    pledged = totals["pledged_by_status"]
    share = totals["oic_share_firm"]
    lines += [
        f"Required: {totals['required_troops']:,} troops, {totals['required_police']:,} police",
        "Pledged by status: " + ", ".join(f"{k} {v:,}" for k, v in pledged.items()),
        f"Firm (committed + deployed): {totals['firm_troops']:,} troops, "
        f"{totals['firm_police']:,} police, from {totals['contributing_nations_firm']} nations "
        f"({totals['contributing_nations_any']} with any open pledge)",
        "OIC share of firm troops: " + (f"{share:.0%}" if share is not None else "n/a"),
        f"From nations no party objects to: {totals['unobjected_firm']:,} firm, "
        f"{totals['unobjected_any']:,} in all open pledges",
    ]
    return "\n".join(lines)
