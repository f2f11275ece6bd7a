"""Password hashing (Argon2id) and the rules a new password must meet."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 256


@cache
def _hasher_for(profile: str) -> tuple[PasswordHasher, str]:
    """The Argon2id hasher of a parameter profile and a dummy hash made with it."""
    if profile == "fast":  # tests only: the same algorithm with tiny cost
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    else:  # argon2-cffi's current recommended parameters (RFC 9106 low-memory profile)
        hasher = PasswordHasher()
    # Verified against when the e-mail is unknown, so both failures cost the same time.
    return hasher, hasher.hash(secrets.token_urlsafe(16))


def _hasher() -> tuple[PasswordHasher, str]:
    profile = current_app.config.get("ARGON2_PROFILE", "default") if has_app_context() else "default"
    return _hasher_for(profile)


# The most common passwords and keyboard walks that pass a length rule anyway.
_COMMON = {
    "passwort123",
    "password123",
    "passwort1234",
    "password1234",
    "1234567890",
    "0123456789",
    "qwertzuiop",
    "qwertyuiop",
    "asdfghjkl1",
    "123456789a",
    "1q2w3e4r5t",
    "hallo12345",
    "sommer2024",
    "sommer2025",
    "sommer2026",
    "winter2024",
    "winter2025",
    "winter2026",
    "willkommen",
    "willkommen1",
    "geheim1234",
    "passwort!!",
    "abcdefghij",
    "iloveyou12",
}


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; with no hash, still spend the time of a real check."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters than the current ones."""
    try:
        return _hasher()[0].check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """German reasons why ``password`` is too weak; empty when it is acceptable."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Das Passwort darf höchstens %(n)d Zeichen lang sein.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 4:
        problems.append(_("Dieses Passwort ist zu leicht zu erraten."))
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append(_("Das Passwort darf die E-Mail-Adresse nicht enthalten."))
    for part in name.lower().split():
        if len(part) >= 4 and part in lowered:
            problems.append(_("Das Passwort darf den Namen nicht enthalten."))
            break
    return problems


def generate_password() -> str:
    """A random password for demo users and resets (about 96 bits)."""
    return secrets.token_urlsafe(12)
