"""`stabforce demo`: build the Gaza ISF demo mission and serve it."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stabforce.core.choices import Role
from stabforce.core.importing import ImportFailed
from stabforce.core.services import ensure_user, nation_by_iso3, sync_nations
from stabforce.scenarios.loader import GAZA_ISF, load_scenario

#: Demo accounts beside the administrator, one per role, to show what each one sees.
DEMO_USERS = [
    ("hq.planner", Role.HQ_PLANNER, "USA"),
    ("lno.pakistan", Role.NATIONAL_LIAISON, "PAK"),
    ("lno.indonesia", Role.NATIONAL_LIAISON, "IDN"),
    ("hum.liaison", Role.HUMANITARIAN_LIAISON, "NOR"),
    ("observer", Role.OBSERVER, None),
]


DEMO_PLAN_NAME = "Deployment as of 2026-02-20 (deployed, committed and offered pledges)"


class Command(BaseCommand):
    help = (
        "Build the Gaza ISF demo mission into the database (idempotent), print a summary and "
        "the logins it created, then serve the web app (unless --no-serve)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="build the demo and exit without serving"
        )
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on")
        parser.add_argument(
            "--workers", type=int, default=2, help="server worker processes (default 2)"
        )

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        nations = sync_nations()
        try:
            report = load_scenario(GAZA_ISF)
        except ImportFailed as exc:
            raise CommandError(f"The demo scenario did not load: {exc}") from exc
        mission = report.mission
        admin, admin_password = ensure_user("admin", role=Role.ADMIN, missions=[mission])
        created_logins = [("admin", "administrator", admin_password)]
        for username, role, iso3 in DEMO_USERS:
            nation = nation_by_iso3(iso3) if iso3 else None
            _user, password = ensure_user(username, role=role, nation=nation, missions=[mission])
            created_logins.append((username, Role(role).label, password))

        plan_line = self._demo_plan(mission, admin)

        write = self.stdout.write
        write(self.style.SUCCESS(f"stabforce demo: {mission.name}"))
        write(f"  database   {settings.DATABASES['default']['NAME']}")
        write(f"  nations    {nations} (ISO 3166-1)")
        write(f"  scenario   {report.summary()}")
        write(f"  plan       {plan_line}")
        write("  logins     (passwords are printed once, when the account is created)")
        for username, role, password in created_logins:
            shown = password if password else "(already existed; `stabforce changepassword`)"
            write(f"    {username:<15} {role:<28} {shown}")
        if options["no_serve"]:
            return
        call_command(
            "serve", host=options["host"], port=options["port"], workers=options["workers"]
        )

    @staticmethod
    def _demo_plan(mission, admin) -> str:
        """The deployment plan as the register stood on 2026-02-20 (made once)."""
        import datetime as dt

        from stabforce.planning import services as planning
        from stabforce.planning.models import PlanScenario

        scenario = PlanScenario.objects.filter(mission=mission, name=DEMO_PLAN_NAME).first()
        if scenario is None:
            scenario = planning.save_scenario(
                admin,
                mission,
                name=DEMO_PLAN_NAME,
                as_of=dt.date(2026, 2, 20),
                statuses=["deployed", "committed", "offered"],
                what_ifs=[],
            )
        # the newest finished *plan*: users may also have run sweeps on this scenario
        run = scenario.runs.filter(status="done", kind="plan").first()
        stored = run is not None
        if run is None:
            run = planning.start_run(admin, scenario, background=False, time_limit=10)
        if run.status != "done":
            return f"failed: {run.message}"
        quality = run.result["quality"]
        # a rebuild keeps the stored plan: say so, the register may have changed since
        when = f"run #{run.pk} of {run.finished_at:%Y-%m-%d %H:%M} UTC" if stored else "new"
        return (
            f"{DEMO_PLAN_NAME}: {quality['status']} ({quality['solver']}), "
            f"{run.result['size']['covered_unit_months']} of "
            f"{run.result['size']['required_unit_months']} unit-months covered ({when})"
        )
