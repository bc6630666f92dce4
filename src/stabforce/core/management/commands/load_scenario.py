"""`stabforce load_scenario DIR`: validate and load a mission scenario directory."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stabforce.core.importing import ImportFailed
from stabforce.core.services import sync_nations
from stabforce.scenarios.loader import load_scenario


class Command(BaseCommand):
    help = (
        "Validate a scenario directory (mission.yaml, sources.yaml, GeoJSON files) and load it; "
        "idempotent; writes nothing when any record is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="the scenario directory")

    def handle(self, *args, **options) -> None:
        sync_nations()
        try:
            report = load_scenario(options["directory"])
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{report.mission}: {report.summary()}")
