"""Shouwang settings, driven by the environment (after healthchecks' ``hc/settings.py``).

Embedded default: SQLite in WAL mode under ``SHOUWANG_DATA_DIR`` (``./var``), no service needed.
Production: ``DATABASE_URL=postgres://…`` and ``SHOUWANG_ENV=production``, which refuses to start
without real secrets. Secrets come from the environment or from ``NAME_FILE``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read ``NAME`` from the environment, or the contents of the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


PRODUCTION = env("SHOUWANG_ENV") == "production"
DATA_DIR = Path(env("SHOUWANG_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
SECRETS_DIR = DATA_DIR / "secrets"


def _secret(name: str) -> str:
    """A secret from the environment; in development one is made once and kept in the data dir."""
    value = env(name)
    if value:
        return value
    if PRODUCTION:
        raise RuntimeError(f"{name} (or {name}_FILE) must be set when SHOUWANG_ENV=production")
    SECRETS_DIR.mkdir(parents=True, exist_ok=True)
    path = SECRETS_DIR / name.lower()
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret("SHOUWANG_SECRET_KEY")
# Keyed hash for ID-number lookup (DESIGN.md §4: never store a full ID number in clear text).
SHOUWANG_ID_HASH_KEY = _secret("SHOUWANG_ID_HASH_KEY")
# Ed25519 private key (raw 32 bytes, base64url) for signing pass QR payloads; made on first use
# in development, see ``shouwang.passes.signing``.
SHOUWANG_PASS_SIGNING_KEY = env("SHOUWANG_PASS_SIGNING_KEY")
SHOUWANG_PASS_KEY_FILE = SECRETS_DIR / "pass_signing_ed25519"
# A font with CJK Extension A (e.g. 䶮) for pass cards; see ``shouwang.passes.fonts``.
SHOUWANG_CJK_FONT = env("SHOUWANG_CJK_FONT")
# Where reminders and alerts go: "log" (default), "email", "webhook:https://…", or several: "log,email".
SHOUWANG_NOTIFIER = env("SHOUWANG_NOTIFIER", "log")
DEFAULT_FROM_EMAIL = env("SHOUWANG_FROM_EMAIL", "shouwang@localhost")

DEBUG = env("SHOUWANG_DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [h for h in env("SHOUWANG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
if not PRODUCTION:
    ALLOWED_HOSTS += ["testserver", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI from our own static files, not a CDN
    "axes",  # login throttling: failed attempts per username and address
    "csp",
    "shouwang.core",
    "shouwang.places",
    "shouwang.people",
    "shouwang.passes",
    "shouwang.screening",
    "shouwang.quarantine",
    "shouwang.visitors",
    "shouwang.incidents",
    "shouwang.roster",
    "shouwang.dashboard",
    "shouwang.reports",
    "shouwang.privacy",
    "shouwang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The inspector and the data-protection officer read only: their writes stop here.
    "shouwang.core.middleware.ReadOnlyRoleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# A content security policy in every environment, so browser tests meet the one production sends:
# scripts and styles only from our own origin (no inline script), images also from data:/blob:
# (QR codes, camera frames), no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline style attributes remain in a few templates; they cannot run code.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): 5 wrong passwords for one username from one address lock that
# pair out for 15 minutes. Username *and* address, because a whole community's gate phones may
# share one address behind a carrier's NAT and one person's typos must not lock out the others.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("SHOUWANG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(env("SHOUWANG_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
# Successful log-ins are not kept by axes: who did what is in our own audit log.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

ROOT_URLCONF = "shouwang.urls"
WSGI_APPLICATION = "shouwang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shouwang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

_sqlite_path = DATA_DIR / "shouwang.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(env("DATABASE_URL") or f"sqlite:///{_sqlite_path}", conn_max_age=600)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets gate reads run beside the one writer; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if env("SHOUWANG_SQLITE_CLOSE") else None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "shouwang" / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

if PRODUCTION:
    # `shouwang check --deploy --fail-level WARNING` is clean with these (tested).
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SECURE_HSTS_SECONDS = int(env("SHOUWANG_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env("SHOUWANG_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = env("SHOUWANG_HSTS_PRELOAD", "1") == "1"
    SECURE_SSL_REDIRECT = env("SHOUWANG_SSL_REDIRECT", "1") == "1"
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (opt-in: trusting it otherwise
    # would let a client claim https).
    if env("SHOUWANG_BEHIND_PROXY") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        # Behind the proxy every request comes from its address: throttle by the client's own
        # address from X-Forwarded-For (one trusted hop), or one person could pause a username
        # for everyone.
        AXES_IPWARE_PROXY_COUNT = int(env("SHOUWANG_PROXY_COUNT", "1"))
        AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"shouwang": {"handlers": ["console"], "level": env("SHOUWANG_LOG_LEVEL", "INFO")}},
}
