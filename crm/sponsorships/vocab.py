"""Enumerations and German labels of sponsorships."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class SponsorshipKind(enum.StrEnum):
    SPONSORING = "sponsoring"
    DONATION = "donation"
    MIXED = "mixed"


KIND_LABELS = {
    SponsorshipKind.SPONSORING: _l("Sponsoring"),
    SponsorshipKind.DONATION: _l("Spende"),
    SponsorshipKind.MIXED: _l("gemischt"),
}


class SponsorshipStatus(enum.StrEnum):
    ASKED = "asked"
    PROMISED = "promised"
    CONTRACT = "contract"
    INVOICED = "invoiced"
    PAID = "paid"
    DECLINED = "declined"


STATUS_LABELS = {
    SponsorshipStatus.ASKED: _l("angefragt"),
    SponsorshipStatus.PROMISED: _l("zugesagt"),
    SponsorshipStatus.CONTRACT: _l("Vertrag"),
    SponsorshipStatus.INVOICED: _l("in Rechnung gestellt"),
    SponsorshipStatus.PAID: _l("bezahlt"),
    SponsorshipStatus.DECLINED: _l("abgelehnt"),
}
# Statuses whose amounts count as agreed income in the yearly totals.
AGREED = (
    SponsorshipStatus.PROMISED,
    SponsorshipStatus.CONTRACT,
    SponsorshipStatus.INVOICED,
    SponsorshipStatus.PAID,
)


class VatTreatment(enum.StrEnum):
    TAXABLE = "taxable"  # sponsoring with counter-performance: 19 % VAT
    NOT_TAXABLE = "not_taxable"  # donation or mere mention (Duldungsleistung)
    UNCLEAR = "unclear"


VAT_LABELS = {
    VatTreatment.TAXABLE: _l("umsatzsteuerpflichtig (19 %)"),
    VatTreatment.NOT_TAXABLE: _l("nicht steuerbar"),
    VatTreatment.UNCLEAR: _l("noch zu klären"),
}
