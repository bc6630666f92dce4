"""`stabforce intake FILE`: read a statement and queue its proposed updates;
`stabforce intake evaluate`: precision and recall of the extractor per claim kind."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stabforce.core.models import Mission, User
from stabforce.intake import queries, services
from stabforce.intake.extract import evaluate, format_report


class Command(BaseCommand):
    help = (
        "Statement intake. `intake FILE [--publisher NAME] [--published DATE] [--url URL] "
        "[--mission SLUG] [--user NAME] [--json]` reads a plain-text or HTML file ('-' for "
        "stdin), stores it as a source, prints the register updates it proposes and queues "
        "them for review. `intake evaluate [--split NAME]` prints the extractor's precision "
        "and recall per claim kind on the labelled corpus."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .txt or .html file, '-' for stdin, or 'evaluate'")
        parser.add_argument("--publisher", default="", help="who published it")
        parser.add_argument("--published", default=None, help="publication date YYYY-MM-DD")
        parser.add_argument("--url", default="", help="where it was published")
        parser.add_argument("--title", default="", help="title (default: first line)")
        parser.add_argument("--mission", default=None, help="mission slug (default: the only one)")
        parser.add_argument("--user", default="admin", help="submit as this user (default admin)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a list")
        parser.add_argument(
            "--split", action="append", default=None, help="evaluate: only this corpus split"
        )

    def handle(self, *args, **options) -> None:
        if options["file"] == "evaluate":
            report = evaluate(splits=tuple(options["split"]) if options["split"] else None)
            if options["json"]:
                scores = {
                    kind: {
                        "precision": s.precision,
                        "recall": s.recall,
                        "f1": s.f1,
                        "tp": s.tp,
                        "fp": s.fp,
                        "fn": s.fn,
                    }
                    for kind, s in report.scores.items()
                }
                self.stdout.write(json.dumps({"items": report.items, "scores": scores}, indent=2))
            else:
                self.stdout.write(format_report(report), ending="")
            return
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user {options['user']!r}")
        mission = self._mission(user, options["mission"])
        published = None
        if options["published"]:
            try:
                published = dt.date.fromisoformat(options["published"])
            except ValueError:
                raise CommandError(
                    f"--published: expected a date as YYYY-MM-DD, got {options['published']!r}"
                ) from None
        path = options["file"]
        try:
            data = self.stdin_bytes() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            result = services.submit_document(
                mission=mission,
                user=user,
                data=data,
                filename="" if path == "-" else Path(path).name,
                publisher=options["publisher"],
                published=published,
                url=options["url"],
                title=options["title"],
            )
        except services.SubmissionError as exc:
            raise CommandError(f"{path}: {exc.message} Nothing was stored.") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        document = result.document
        rows = [
            (update, queries.plan_update(user, update) if update.is_pending else None)
            for update in queries.updates(user, document=document).order_by("position")
        ]
        if options["json"]:
            from stabforce.intake.api import _update_out

            out = {
                "document": document.pk,
                "created": result.created,
                "mission": mission.slug,
                "source": document.source.key,
                "inconsistencies": document.inconsistencies,
                "context": [row["label"] for row in document.context],
                "claims": [_update_out(user, update, plan) for update, plan in rows],
            }
            self.stdout.write(json.dumps(out, indent=2, default=str, ensure_ascii=False))
            return
        self._print(document, result.created, rows)

    def stdin_bytes(self) -> bytes:  # pragma: no cover - exercised by hand
        import sys

        return sys.stdin.buffer.read()

    def _mission(self, user, slug: str | None) -> Mission:
        missions = Mission.objects.visible_to(user)
        if slug:
            mission = missions.filter(slug=slug).first()
            if mission is None:
                raise CommandError(f"--mission: no mission {slug!r} visible to {user.username}")
            return mission
        if missions.count() != 1:
            raise CommandError("--mission: give the mission's slug (several missions exist)")
        return missions.get()

    def _print(self, document, created: bool, rows) -> None:
        write = self.stdout.write
        source = document.source
        state = "Queued" if created else "Already submitted — nothing stored twice; showing"
        write(f"{state} document #{document.pk}: {source.title}")
        write(
            f"  source {source.key} · {source.publisher}"
            f"{', ' + source.published.isoformat() if source.published else ''}"
        )
        for message in document.inconsistencies:
            write(f"  ! inconsistency: {message}")
        if document.context:
            write("  named: " + "; ".join(row["label"] for row in document.context))
        write(f"\n{len(rows)} proposed update(s):")
        for update, plan in rows:
            nation = update.nation.iso3 if update.nation else "—"
            day = update.claim_date.isoformat() if update.claim_date else "(publication date)"
            write(
                f"\n#{update.pk} {update.kind} [{update.status}] {nation} · {day} · "
                f"confidence {update.confidence:.2f} · rule {update.rule}"
            )
            fields = ", ".join(f"{k}={v}" for k, v in queries.display_fields(update))
            write(f"  {fields}")
            write(f"  quote: {update.quote}")
            for message in update.inconsistencies:
                write(f"  ! {message}")
            if plan is not None:
                write(f"  would: {plan.summary}")
                for relation in plan.relations:
                    write(f"  {relation}")
