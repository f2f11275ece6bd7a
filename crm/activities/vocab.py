"""Enumerations and German labels of the contact history."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class ActivityKind(enum.StrEnum):
    VISIT = "visit"
    CALL = "call"
    EMAIL = "email"
    EVENT = "event"
    LETTER = "letter"
    ONLINE_MEETING = "online_meeting"


ACTIVITY_KIND_LABELS = {
    ActivityKind.CALL: _l("Anruf"),
    ActivityKind.VISIT: _l("Besuch"),
    ActivityKind.EMAIL: _l("E-Mail"),
    ActivityKind.ONLINE_MEETING: _l("Online-Termin"),
    ActivityKind.EVENT: _l("Veranstaltung"),
    ActivityKind.LETTER: _l("Brief"),
}
# Plural labels for the timeline filter.
ACTIVITY_KIND_PLURALS = {
    ActivityKind.CALL: _l("Anrufe"),
    ActivityKind.VISIT: _l("Besuche"),
    ActivityKind.EMAIL: _l("E-Mails"),
    ActivityKind.ONLINE_MEETING: _l("Online-Termine"),
    ActivityKind.EVENT: _l("Veranstaltungen"),
    ActivityKind.LETTER: _l("Briefe"),
}


class TrainingFormat(enum.StrEnum):
    """Preferred training formats of a needs analysis (one boolean column each)."""

    IN_HOUSE = "in_house"
    ONLINE = "online"
    BLENDED = "blended"
    WORKPLACE = "workplace"


TRAINING_FORMAT_LABELS = {
    TrainingFormat.IN_HOUSE: _l("Inhouse / vor Ort"),
    TrainingFormat.ONLINE: _l("Online"),
    TrainingFormat.BLENDED: _l("Blended Learning"),
    TrainingFormat.WORKPLACE: _l("Arbeitsplatznah"),
}


def funding_share(employees: float | None) -> int | None:
    """Course-fee share of §82 SGB III by headcount (a hint, not legal advice): 100, 50, 25 or None."""
    if employees is None:
        return None
    if employees < 50:
        return 100
    if employees < 500:
        return 50
    return 25
