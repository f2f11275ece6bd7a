"""Shared set-up for fee tests: a year's fees in every status and payment method."""

from __future__ import annotations

from datetime import date

from crm.extensions import db
from crm.memberships.models import CreditorSettings, Fee
from crm.memberships.vocab import FeeStatus, PaymentMethod
from tests.factories import MembershipFactory, OrganisationFactory

CREDITOR = {
    "name": "Bildungsnetzwerk Region e.V.",
    "iban": "DE02120300000000202051",
    "bic": "BYLADEM1001",
    "creditor_id": "DE98ZZZ09999999999",
    "prenotification_days": 5,
}


def creditor() -> CreditorSettings:
    settings = CreditorSettings(**CREDITOR)
    db.session.add(settings)
    db.session.flush()
    return settings


def make_fee(
    *,
    name: str = "Firma GmbH",
    amount: int = 10000,
    status: FeeStatus = FeeStatus.OPEN,
    sepa: bool = False,
    year: int = 2026,
    due_on: date | None = None,
    membership=None,
    **membership_fields,
) -> Fee:
    """A fee (and its membership and company) as the fee run would have made it."""
    if membership is None:
        org = OrganisationFactory(name=name, employees=5, turnover_eur=500_000)
        membership = MembershipFactory(organisation=org, sepa=sepa, **membership_fields)
    fee = Fee(
        membership_id=membership.id,
        organisation_id=membership.organisation_id,
        year=year,
        kind=membership.kind,
        size_class=membership.organisation.size_class,
        pro_rata="none",
        months=12,
        full_amount_cents=amount,
        amount_cents=amount,
        payment_method=PaymentMethod.SEPA if sepa else membership.payment_method,
        due_on=due_on or date(year, 3, 31),
        status=status,
        paid_on=date(year, 4, 1) if status == FeeStatus.PAID else None,
    )
    db.session.add(fee)
    db.session.flush()
    return fee
