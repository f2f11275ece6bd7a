"""Configuration read from the environment when the app is created (never at import time)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
ENVIRONMENTS = ("development", "production", "testing")


def instance_dir(environ: os._Environ[str] | dict[str, str] = os.environ) -> Path:
    """The folder for the embedded database and the generated secret key."""
    return Path(environ.get("CRM_INSTANCE_PATH", BASE_DIR / "instance")).resolve()


def _secret_key(environ: os._Environ[str] | dict[str, str], env: str, folder: Path) -> str:
    key = environ.get("SECRET_KEY")
    if key:
        return key
    key_file = folder / "secret_key"
    if key_file.is_file():
        return key_file.read_text(encoding="utf-8").strip()
    raise RuntimeError(
        "SECRET_KEY fehlt: setzen Sie die Umgebungsvariable SECRET_KEY "
        f"oder legen Sie {key_file} an (`make run` erzeugt die Datei)."
    )


def from_environment(
    overrides: dict[str, Any] | None = None,
    environ: os._Environ[str] | dict[str, str] = os.environ,
) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables, then apply ``overrides``."""
    overrides = dict(overrides or {})
    env = overrides.get("CRM_ENV") or environ.get("CRM_ENV", "production")
    if env not in ENVIRONMENTS:
        raise RuntimeError(f"CRM_ENV muss einer von {', '.join(ENVIRONMENTS)} sein, nicht {env!r}.")
    folder = instance_dir(environ)
    database_url = (
        overrides.get("SQLALCHEMY_DATABASE_URI")
        or environ.get("DATABASE_URL")
        or f"sqlite:///{folder / 'crm.sqlite3'}"
    )
    session_hours = int(environ.get("CRM_SESSION_HOURS", "10"))
    settings = {
        "CRM_ENV": env,
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(environ, env, folder),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
        # Secure cookies everywhere but on the local http development server.
        "SESSION_COOKIE_SECURE": env != "development",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "crm_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_hours),
        # Largest upload is an import file of 10 MB; a little room for the multipart envelope.
        "MAX_CONTENT_LENGTH": 11 * 1024 * 1024,
        # A form left open on a phone must still save: the token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": environ.get("CRM_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT_ACCOUNT": environ.get("CRM_LOGIN_LIMIT_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_LIMIT_ADDRESS": environ.get("CRM_LOGIN_LIMIT_ADDRESS", "30 per 15 minutes"),
        "TRUSTED_PROXIES": int(environ.get("CRM_TRUSTED_PROXIES", "0")),
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "PREFERRED_URL_SCHEME": "http" if env == "development" else "https",
        "HSTS": env == "production",
        # Staff may edit or delete their own logged contacts for this many days (managers always).
        "CRM_ACTIVITY_EDIT_DAYS": int(environ.get("CRM_ACTIVITY_EDIT_DAYS", "14")),
        # Data protection: audit entries older than this are removed by `flask crm audit-prune`;
        # companies without any business and without contact for this many years are up for review.
        "AUDIT_RETENTION_DAYS": int(environ.get("CRM_AUDIT_RETENTION_DAYS", "1825")),
        "RETENTION_REVIEW_YEARS": int(environ.get("CRM_RETENTION_REVIEW_YEARS", "3")),
    }
    settings.update(overrides)
    return settings


def engine_options(database_url: str) -> dict[str, Any]:
    """Engine options per database: SQLite waits for locks, PostgreSQL checks pooled connections."""
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {"pool_pre_ping": True}
