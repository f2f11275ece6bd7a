"""Enumerations and German labels of offers, key accounts and company groups."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class OfferStatus(enum.StrEnum):
    """open → sent → won / lost; won and lost are closed."""

    OPEN = "open"
    SENT = "sent"
    WON = "won"
    LOST = "lost"

    @property
    def is_closed(self) -> bool:
        return self in (OfferStatus.WON, OfferStatus.LOST)


OPEN_STATUSES = (OfferStatus.OPEN, OfferStatus.SENT)

STATUS_LABELS = {
    OfferStatus.OPEN: _l("offen"),
    OfferStatus.SENT: _l("versendet"),
    OfferStatus.WON: _l("gewonnen"),
    OfferStatus.LOST: _l("verloren"),
}

# The probability (percent) an offer gets when it reaches a status; editable per offer.
DEFAULT_PROBABILITY = {
    OfferStatus.OPEN: 20,
    OfferStatus.SENT: 50,
    OfferStatus.WON: 100,
    OfferStatus.LOST: 0,
}


class LostReason(enum.StrEnum):
    PRICE = "price"
    COMPETITOR = "competitor"
    NO_BUDGET = "no_budget"
    NO_NEED = "no_need"
    TIMING = "timing"
    FUNDING = "funding"
    NO_RESPONSE = "no_response"
    OTHER = "other"


LOST_REASON_LABELS = {
    LostReason.PRICE: _l("Preis zu hoch"),
    LostReason.COMPETITOR: _l("Anderer Anbieter"),
    LostReason.NO_BUDGET: _l("Kein Budget"),
    LostReason.NO_NEED: _l("Kein Bedarf mehr"),
    LostReason.TIMING: _l("Zeitpunkt ungünstig"),
    LostReason.FUNDING: _l("Förderung abgelehnt"),
    LostReason.NO_RESPONSE: _l("Keine Rückmeldung"),
    LostReason.OTHER: _l("Sonstiges"),
}


class GroupKind(enum.StrEnum):
    TRAINING_CLUSTER = "training_cluster"
    BRANCHES = "branches"


GROUP_KIND_LABELS = {
    GroupKind.TRAINING_CLUSTER: _l("Weiterbildungsverbund"),
    GroupKind.BRANCHES: _l("Niederlassungen eines Unternehmens"),
}


class DecisionRole(enum.StrEnum):
    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    USER = "user"
    GATEKEEPER = "gatekeeper"
    CHAMPION = "champion"


DECISION_ROLE_LABELS = {
    DecisionRole.DECISION_MAKER: _l("Entscheider/in"),
    DecisionRole.INFLUENCER: _l("Beeinflusser/in"),
    DecisionRole.USER: _l("Nutzer/in"),
    DecisionRole.GATEKEEPER: _l("Türhüter/in"),
    DecisionRole.CHAMPION: _l("Fürsprecher/in"),
}
