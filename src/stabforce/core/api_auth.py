"""Who is calling the API: a bearer token or the browser session of a logged-in user.

Scripts and other systems send ``Authorization: Bearer <token>`` (tokens come from
``stabforce token create --user NAME`` and are stored hashed). Pages of the web UI call the
API with the session cookie they already hold; for unsafe methods that path enforces CSRF.

Either way the operation receives the :class:`~stabforce.core.models.User` as
``request.auth`` (and ``request.auth_user``); every read then goes through
``visible_to(that user)``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from stabforce.core import services
from stabforce.core.models import User


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer sf_...``: an active, unexpired, unrevoked API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = services.user_for_token(token.strip())
        if user is None:
            return None
        # The audit history (simple_history middleware) attributes changes to request.user.
        request.user = user
        request.auth_user = user  # type: ignore[attr-defined]
        return user


class BrowserSessionAuth(SessionAuth):
    """The session of a user logged in to the web UI (CSRF enforced on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        request.auth_user = user  # type: ignore[attr-defined]
        return user


bearer_auth = BearerTokenAuth()
session_auth = BrowserSessionAuth()

#: The API's default authentication. The bearer token is tried first so that a script sending
#: a token never trips the session's CSRF check.
API_AUTH = [bearer_auth, session_auth]


def auth_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (set by one of the classes above)."""
    return request.auth  # type: ignore[attr-defined,return-value]
