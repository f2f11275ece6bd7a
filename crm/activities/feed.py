"""The private calendar feed of a user's open follow-ups (iCalendar, RFC 5545).

The feed address carries a random token; only its hash is stored, so the address is shown once
when it is made. Making a new one replaces the old, whose address then answers 404.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import icalendar
import sqlalchemy as sa

from crm.activities.followup_list import open_follow_ups
from crm.activities.models import CalendarFeedToken, FollowUp
from crm.audit.services import record
from crm.auth.models import User, hash_token
from crm.core.db import utcnow
from crm.extensions import db
from crm.organisations.models import Organisation

PRODID = "-//Bildungs-CRM//Wiedervorlagen//DE"


def feed_token(user: User) -> CalendarFeedToken | None:
    return db.session.get(CalendarFeedToken, user.id)


def issue_token(user: User, *, actor: User) -> str:
    """Make a new feed token for ``user`` (the previous one stops working) and return it once."""
    token = secrets.token_urlsafe(32)
    existing = feed_token(user)
    if existing is None:
        db.session.add(CalendarFeedToken(user_id=user.id, token_hash=hash_token(token)))
    else:
        existing.token_hash, existing.created_at = hash_token(token), utcnow()
    record("calendar_feed_issued", entity=user, actor=actor, details={"replaced": existing is not None})
    db.session.flush()
    return token


def revoke_token(user: User, *, actor: User) -> bool:
    """Switch the feed off; returns whether there was one."""
    existing = feed_token(user)
    if existing is None:
        return False
    db.session.delete(existing)
    record("calendar_feed_revoked", entity=user, actor=actor)
    db.session.flush()
    return True


def user_for_token(token: str) -> User | None:
    """The active user owning ``token``, or ``None``."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        sa.select(User)
        .join(CalendarFeedToken, CalendarFeedToken.user_id == User.id)
        .where(CalendarFeedToken.token_hash == hash_token(token), User.is_active.is_(True))
    )


def feed_rows(user: User) -> list[Any]:
    """Every open follow-up of ``user`` on a company ``user`` may see, by due date."""
    stmt = open_follow_ups(
        user.id,
        user,
        FollowUp.id,
        FollowUp.due_on,
        FollowUp.what,
        FollowUp.version,
        FollowUp.created_at,
        FollowUp.updated_at,
        FollowUp.organisation_id,
        Organisation.name.label("organisation_name"),
    ).order_by(FollowUp.due_on, FollowUp.organisation_id, FollowUp.id)
    return list(db.session.execute(stmt).all())


def calendar(
    user: User, rows: list[Any], *, uid_domain: str, link: Callable[[int], str], title: str
) -> bytes:
    """The iCalendar document: one all-day event per follow-up on its due date."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    cal.add("x-published-ttl", "PT1H")
    for row in rows:
        event = icalendar.Event()
        event.add("uid", f"follow-up-{row.id}@{uid_domain}")
        # No METHOD: DTSTAMP is then the last revision of the entry, which keeps the feed stable.
        event.add("dtstamp", row.updated_at)
        event.add("created", row.created_at)
        event.add("last-modified", row.updated_at)
        event.add("sequence", row.version - 1)
        event.add("dtstart", row.due_on)
        event.add("dtend", row.due_on + timedelta(days=1))
        event.add("summary", f"{row.what} – {row.organisation_name}")
        url = link(row.organisation_id)
        event.add("description", f"{row.organisation_name}\n{url}")
        event.add("url", url)
        event.add("transp", "TRANSPARENT")
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
