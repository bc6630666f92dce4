"""`stabforce token create|list|revoke`: API bearer tokens."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from stabforce.core.models import ApiToken, User
from stabforce.core.services import create_api_token, revoke_api_token

#: Ten years: a longer life is no expiry at all, and dates past year 9999 cannot be stored.
MAX_TOKEN_DAYS = 3650


class Command(BaseCommand):
    help = (
        "Manage API tokens. `token create --user NAME` prints only the new token on stdout "
        "(it is stored hashed and cannot be shown again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a token for a user")
        create.add_argument("--user", required=True, help="username the token acts as")
        create.add_argument("--name", default="", help="what the token is for")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"expire after N days (1 to {MAX_TOKEN_DAYS}; default: never)",
        )
        listing = actions.add_parser("list", help="list a user's active tokens (prefixes only)")
        listing.add_argument("--user", required=True)
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix", help="the first 10 characters of the token")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "revoke":
            if not revoke_api_token(options["prefix"]):
                raise CommandError(f"no active token with prefix {options['prefix']!r}")
            self.stderr.write(f"revoked {options['prefix']}")
            return
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user {options['user']!r}")
        if action == "list":
            for token in ApiToken.objects.active().filter(user=user).order_by("created_at"):
                expires = token.expires_at.isoformat() if token.expires_at else "never"
                self.stdout.write(f"{token.prefix}  {token.name or '-'}  expires {expires}")
            return
        if not user.is_active:
            raise CommandError(f"user {user.username!r} is inactive")
        days = options["days"]
        if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
            raise CommandError(
                f"--days: expected 1 to {MAX_TOKEN_DAYS} (leave it out for a token that does "
                f"not expire), got {days}"
            )
        expires_at = timezone.now() + timedelta(days=days) if days else None
        _token, raw = create_api_token(user, name=options["name"], expires_at=expires_at)
        self.stdout.write(raw)
