"""The marketing-block list (Art. 21 GDPR): e-mail addresses that must never get advertising.

Only a SHA-256 of the normalised address is kept, so the list can outlive the contact (an
objection must stick, also against a later re-import) without keeping the address in clear text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.db import utcnow
from crm.core.marks import not_personal, personal
from crm.extensions import db

_IN_CHUNK = 1000


class SuppressionEntry(db.Model):
    """One blocked address, known only by its hash."""

    __tablename__ = "suppression_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(
        sa.String(64), unique=True, info=personal("pseudonym", "objection", "c")
    )
    reason: Mapped[str | None] = mapped_column(sa.String(200), info=not_personal("Anlass der Sperre"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def normalise_email(email: str) -> str:
    """The form an address is compared in: trimmed and lower case."""
    return email.strip().lower()


def email_hash(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def suppressed_among(emails: Iterable[str | None]) -> set[str]:
    """The given addresses (as given) that are on the list; one query per 1,000 addresses."""
    by_hash: dict[str, list[str]] = {}
    for email in emails:
        if email and email.strip():
            by_hash.setdefault(email_hash(email), []).append(email)
    found: set[str] = set()
    hashes = list(by_hash)
    for start in range(0, len(hashes), _IN_CHUNK):
        chunk = hashes[start : start + _IN_CHUNK]
        for value in db.session.scalars(
            sa.select(SuppressionEntry.email_hash).where(SuppressionEntry.email_hash.in_(chunk))
        ):
            found.update(by_hash[value])
    return found


def is_suppressed(email: str | None) -> bool:
    """Whether ``email`` is on the marketing-block list."""
    return bool(email) and bool(suppressed_among([email]))


def suppress_many(emails: Iterable[str | None], reason: str) -> int:
    """Put every address on the list (those already there stay as they are); returns how many were new."""
    wanted = {email_hash(e) for e in emails if e and e.strip()}
    if not wanted:
        return 0
    present: set[str] = set()
    hashes = sorted(wanted)
    for start in range(0, len(hashes), _IN_CHUNK):
        chunk = hashes[start : start + _IN_CHUNK]
        present.update(
            db.session.scalars(
                sa.select(SuppressionEntry.email_hash).where(SuppressionEntry.email_hash.in_(chunk))
            )
        )
    new = [h for h in hashes if h not in present]
    if new:
        now = utcnow()
        db.session.execute(
            sa.insert(SuppressionEntry),
            [{"email_hash": h, "reason": reason[:200], "created_at": now} for h in new],
        )
    return len(new)


def suppress(email: str | None, reason: str) -> bool:
    """Put ``email`` on the list; True if it was not there yet."""
    return bool(suppress_many([email], reason))


def block_if_listed(values: dict[str, object]) -> bool:
    """Set the marketing block on form values whose e-mail is on the list; True if it did that.

    An objection sticks: a person who objected and is entered again (by hand or by import) gets
    the block back, and the page says why.
    """
    email = values.get("email")
    if values.get("marketing_blocked") or not isinstance(email, str) or not is_suppressed(email):
        return False
    values["marketing_blocked"] = True
    return True


BLOCK_LIST_WARNING = _l(
    "Achtung: Diese E-Mail-Adresse steht auf der Werbesperrliste (Widerspruch nach Art. 21 DSGVO). "
    "Die Werbesperre wurde gesetzt."
)


def block_list_note(blocked: bool, ticked: bool) -> list[tuple[str, str]]:
    """The warning to flash after a save when the block list set a marketing block nobody ticked."""
    return [(str(BLOCK_LIST_WARNING), "warning")] if blocked and not ticked else []
