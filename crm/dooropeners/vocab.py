"""Kinds of door-openers and introduction channels, with German labels."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class DoorOpenerKind(enum.StrEnum):
    IHK = "ihk"
    HWK = "hwk"
    BUSINESS_DEVELOPMENT = "wirtschaftsfoerderung"
    BANK = "bank"
    WIRTSCHAFTSJUNIOREN = "wirtschaftsjunioren"
    BUSINESS_ANGEL = "business_angel"
    MENTOR = "mentor"
    ASSOCIATION = "verband"
    OTHER = "sonstige"


KIND_LABELS = {
    DoorOpenerKind.IHK: _l("IHK"),
    DoorOpenerKind.HWK: _l("HWK"),
    DoorOpenerKind.BUSINESS_DEVELOPMENT: _l("Wirtschaftsförderung"),
    DoorOpenerKind.BANK: _l("Bank/Sparkasse/Volksbank"),
    DoorOpenerKind.WIRTSCHAFTSJUNIOREN: _l("Wirtschaftsjunioren"),
    DoorOpenerKind.BUSINESS_ANGEL: _l("Business Angel"),
    DoorOpenerKind.MENTOR: _l("Mentor/in"),
    DoorOpenerKind.ASSOCIATION: _l("Verband/Innung"),
    DoorOpenerKind.OTHER: _l("Sonstige"),
}


class Channel(enum.StrEnum):
    PERSONAL = "personal_referral"
    EVENT = "event"
    LETTER = "letter_email"
    PHONE = "phone"


CHANNEL_LABELS = {
    Channel.PERSONAL: _l("persönliche Empfehlung"),
    Channel.EVENT: _l("Veranstaltung"),
    Channel.LETTER: _l("Brief/E-Mail"),
    Channel.PHONE: _l("Telefon"),
}
