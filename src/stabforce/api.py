"""The versioned REST API (/api/v1/), assembled from each app's router.

What every operation shares lives here: authentication (bearer token or browser session, see
:mod:`stabforce.core.api_auth`), and one error body for every failure,
``{"detail": "...", "errors": [{"field": "query.as_of", "message": "..."}]}`` — for 400, 401,
403, 404, 405, 422 and 500 alike, never a stack trace. The OpenAPI description is public at
``/api/v1/openapi.json`` (it holds no data); the interactive docs are off because the Content
Security Policy forbids the CDN assets they would load.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any

import pydantic
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, path, re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from stabforce import __version__
from stabforce.core.api import Conflict, ErrorItem, ErrorOut, HealthOut
from stabforce.core.api import router as core_router
from stabforce.core.api_auth import API_AUTH

logger = logging.getLogger("stabforce.api")

NOT_FOUND = "Not found."
_REF = "#/components/schemas/{model}"


class StabforceAPI(NinjaAPI):
    """NinjaAPI whose every answer — including unknown paths under /api/v1/ and wrong methods
    — carries the standard error body instead of Django's HTML pages."""

    def error_response(
        self,
        request: HttpRequest,
        status: int,
        detail: str,
        errors: list[dict[str, str]] | None = None,
    ) -> HttpResponse:
        return self.create_response(
            request, {"detail": detail, "errors": errors or []}, status=status
        )

    def get_openapi_schema(self, *args: Any, **kwargs: Any):
        """The schema, with the standard errors every operation can give declared on each one
        (an app's router need only declare the errors specific to it)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {
            "description": "Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template=_REF))
        schemas.setdefault("ErrorItem", ErrorItem.model_json_schema(ref_template=_REF))
        for methods in schema["paths"].values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                if operation.get("security"):
                    responses.setdefault(401, error)
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault(422, error)
                if operation.get("requestBody"):
                    responses.setdefault(400, error)
        return schema

    def _get_urls(self) -> list[Any]:
        patterns = []
        for pattern in super()._get_urls():
            if isinstance(pattern, URLPattern) and pattern.name == "api-root":
                # The root is only reversed to compute the schema's path prefix.
                patterns.append(path("", self._not_found_view, name="api-root"))
            elif isinstance(pattern, URLPattern):
                pattern.callback = self._standard_not_allowed(pattern.callback)
                patterns.append(pattern)
            else:
                patterns.append(pattern)
        patterns.append(re_path(r"^.+$", self._not_found_view, name="api-not-found"))
        return patterns

    def _not_found_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.error_response(request, 404, NOT_FOUND)

    def _standard_not_allowed(self, view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any):
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                response = self.error_response(
                    request, 405, f"Method {request.method} not allowed; use {allowed}."
                )
                response["Allow"] = allowed
            return response

        wrapper.csrf_exempt = getattr(view, "csrf_exempt", False)
        return wrapper


api = StabforceAPI(
    title="stabforce API",
    version=f"v1 ({__version__})",
    description=(
        "Coordination data of a multinational stabilisation force. Authenticate with "
        "`Authorization: Bearer <token>` (`stabforce token create --user NAME`) or a browser "
        "session. Lists take `limit` (at most 1000) and `offset` and answer "
        '`{"count": N, "items": [...]}`. Errors answer `{"detail": ..., "errors": '
        '[{"field": ..., "message": ...}]}`. Only records released to you appear; anything '
        "else is a 404."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    auth=API_AUTH,
)


# --- Error handlers: one body shape for every failure ---------------------------------------


def _field_path(location: Any) -> str:
    """``("body", "body", "effective")`` → ``body.effective`` (and a body that is not an
    object at all → ``body``): ninja repeats the name of the body parameter; callers care
    about where the field is, not what the view calls it."""
    parts = (
        [str(part) for part in location] if isinstance(location, list | tuple) else [str(location)]
    )
    if len(parts) >= 2 and parts[0] == "body" and parts[1] in {"body", "payload", "data"}:
        del parts[1]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def _invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_path(error.get("loc", ())), "message": str(error.get("msg", "invalid"))}
        for error in exc.errors
    ]
    fields = ", ".join(error["field"] for error in errors)
    return api.error_response(request, 422, f"Invalid request: {fields}.", errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.error_response(
        request,
        401,
        "Authentication required: send 'Authorization: Bearer <token>' or log in.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="stabforce"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    errors = []
    if exc.status_code == 400:
        errors = [{"field": "body", "message": str(exc)}]
    elif isinstance(exc, Conflict):
        errors = [{"field": exc.field, "message": str(exc)}]
    return api.error_response(request, exc.status_code, str(exc), errors)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Never echo the reason: a record that is hidden must look exactly like one that is missing.
    return api.error_response(request, 404, NOT_FOUND)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.error_response(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(ValueError)
def _bad_value(request: HttpRequest, exc: ValueError) -> HttpResponse:
    """A value the database or a parser refused. (pydantic's ValidationError is a ValueError
    too, but one raised while building a response is our bug: it is a 500 below.)"""
    logger.warning("API %s %s: bad value: %s", request.method, request.path, exc)
    return api.error_response(request, 400, "Bad request: a parameter has an unusable value.")


@api.exception_handler(pydantic.ValidationError)
@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API %s %s failed", request.method, request.path)
    return api.error_response(request, 500, "Internal server error; it has been logged.")


# --- Operations ------------------------------------------------------------------------------


@api.get(
    "/health",
    auth=None,
    response=HealthOut,
    tags=["system"],
    summary="Liveness and version",
    operation_id="getHealth",
)
def health(request: HttpRequest):
    """Whether the service is up, which database engine it uses and its version. No
    authentication."""
    return {"status": "ok", "database": connection.vendor, "version": __version__}


# One router per app; core first. Every router's operations are covered by
# tests/test_permission_matrix.py and tests/test_openapi_schemathesis.py automatically.
api.add_router("/", core_router)
api.add_router("/forcegen/", "stabforce.forcegen.api.router")
api.add_router("/intake/", "stabforce.intake.api.router")
api.add_router("/planning/", "stabforce.planning.api.router")
