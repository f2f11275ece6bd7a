"""Calendar days in the office's time zone: "today", "this week" and local input times.

Follow-ups are due on German calendar days, whatever the server's clock or zone says. Tests move
"now" by patching ``now``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.core.db import utcnow

LOCAL_TZ = ZoneInfo("Europe/Berlin")


def now() -> datetime:
    """The current instant (UTC, aware); the one clock of this feature."""
    return utcnow()


def local_today(at: datetime | None = None) -> date:
    """The calendar day in Berlin at ``at`` (default: now)."""
    return (at or now()).astimezone(LOCAL_TZ).date()


def end_of_week(day: date) -> date:
    """The Sunday of ``day``'s ISO week."""
    return day + timedelta(days=6 - day.weekday())


def local_input(at: datetime | None = None) -> datetime:
    """``at`` as a naive Berlin wall-clock time to the minute (a datetime-local field's value)."""
    return (at or now()).astimezone(LOCAL_TZ).replace(tzinfo=None, second=0, microsecond=0)


def from_local(value: datetime) -> datetime:
    """A naive Berlin wall-clock time (form input) as an aware UTC instant."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


def end_of_local_day(day: date) -> datetime:
    """The last instant of ``day`` in Berlin, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ).astimezone(UTC) - timedelta(
        microseconds=1
    )


def start_of_local_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in Berlin, in UTC (the lower bound of a day range)."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)
