"""Django settings for stabforce.

Everything an operator may change comes from environment variables; each is documented in
docs/configuration.md (a test fails when one is not). Two profiles:

- ``local`` (default): plain HTTP on 127.0.0.1 — the demo and a laptop in the field.
- ``production``: behind a TLS-terminating proxy; secure cookies, HSTS, SSL redirect.
  ``STABFORCE_PROFILE=production stabforce check --deploy`` is clean.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import platformdirs
from csp.constants import NONE, SELF

from stabforce import __version__

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


STABFORCE_HOME = Path(
    os.environ.get("STABFORCE_HOME") or platformdirs.user_data_dir("stabforce", appauthor=False)
).expanduser()
STABFORCE_HOME.mkdir(parents=True, exist_ok=True)
STABFORCE_PROFILE = os.environ.get("STABFORCE_PROFILE", "local")
if STABFORCE_PROFILE not in {"local", "production"}:
    raise ValueError(
        f"STABFORCE_PROFILE must be 'local' or 'production', got {STABFORCE_PROFILE!r}"
    )
STABFORCE_VERSION = __version__


def _secret_key() -> str:
    """The key comes from the environment or is generated once and kept in the data directory,
    readable by its owner only; the repository never holds one."""
    if os.environ.get("STABFORCE_SECRET_KEY"):
        return os.environ["STABFORCE_SECRET_KEY"]
    key_file = STABFORCE_HOME / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("STABFORCE_DEBUG", False)
ALLOWED_HOSTS = _env_list("STABFORCE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("STABFORCE_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "axes",
    "csp",
    "django_tables2",
    "django_filters",
    "stabforce.core",
    "stabforce.forcegen",
    "stabforce.intake",
    "stabforce.planning",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "stabforce.core.middleware.SecurityHeadersMiddleware",
    # Axes must be last: it turns repeated failed logins into a lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stabforce.urls"
WSGI_APPLICATION = "stabforce.wsgi.application"
ASGI_APPLICATION = "stabforce.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stabforce.core.context_processors.stabforce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite in the data directory is the zero-set-up default; DATABASE_URL switches to PostgreSQL.
SQLITE_PATH = STABFORCE_HOME / "stabforce.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets the web server read while a loader writes; the busy timeout turns
                # "database is locked" into a short wait. IMMEDIATE avoids upgrade deadlocks.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures per user+address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = _env_int("STABFORCE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Project-wide assets (vendored Leaflet and htmx, our CSS and JS) live beside the settings.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = STABFORCE_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the package too, so a fresh install works before collectstatic runs.
WHITENOISE_USE_FINDERS = True

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if STABFORCE_PROFILE == "production":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind the TLS proxy the client address is in X-Forwarded-For: lock-outs must key on
    # it, or one attacker could lock every user out through the proxy's address.
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# An optional tile server for the map; without one the map draws only the mission's own layers.
STABFORCE_MAP_TILE_URL = os.environ.get("STABFORCE_MAP_TILE_URL", "")
_tile_origin = []
if STABFORCE_MAP_TILE_URL:
    from urllib.parse import urlsplit

    _parts = urlsplit(STABFORCE_MAP_TILE_URL.replace("{s}", "a"))
    _tile_origin = [f"{_parts.scheme}://{_parts.netloc}".replace("://a.", "://*.")]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_tile_origin],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Largest statement the intake accepts (bytes of UTF-8 text or upload).
STABFORCE_INTAKE_MAX_BYTES = _env_int("STABFORCE_INTAKE_MAX_BYTES", 2 * 1024 * 1024)

# Plan runs and sweeps executed at once on this machine (all server processes sharing
# STABFORCE_HOME); more wait, queued.
STABFORCE_PLAN_RUNS_AT_ONCE = _env_int("STABFORCE_PLAN_RUNS_AT_ONCE", 1)

# A Dask scheduler (tcp://host:8786) for the Monte Carlo sweeps run from the web and the API;
# unset: the server machine's own cores.
STABFORCE_DASK_SCHEDULER = os.environ.get("STABFORCE_DASK_SCHEDULER", "").strip() or None

# --- API ------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STABFORCE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
