"""Demo data: fee schedules for three years, ~2,000 memberships with valid test mandates, fee runs
with a realistic paid/open mix, creditor settings, and ~300 sponsorships (fewer at scale XS)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from schwifty import IBAN

from crm.core.demo import DemoContext
from crm.extensions import db
from crm.memberships.banking import derive_bic
from crm.memberships.feerun import create_fees
from crm.memberships.models import CreditorSettings, Fee, FeeSchedule, Membership
from crm.memberships.vocab import FeeStatus, MembershipKind, PaymentMethod, ProRataRule, SepaScheme
from crm.organisations.models import Organisation, StageChange
from crm.organisations.vocab import Stage
from crm.sponsorships.models import Sponsorship
from crm.sponsorships.vocab import SponsorshipKind, SponsorshipStatus, VatTreatment

# Bank codes the schwifty registry knows, so that BICs can be derived (Commerzbank Köln, ING,
# HypoVereinsbank Berlin, Sparkasse KölnBonn, Deutsche Bank Köln, Berliner Volksbank, DKB).
BANK_CODES = ["37040044", "50010517", "10020890", "37050198", "37070060", "10090000", "12030000"]
PURPOSES = [
    "Fachkräftetag",
    "Ausbildungsmesse",
    "Weiterbildungspreis",
    "Lernfest",
    "Azubi-Speed-Dating",
    "Netzwerkabend",
    "Digitalwerkstatt",
    "Sommerakademie",
]
COUNTER = [
    "Logo auf Website",
    "Logo auf Plakat",
    "Nennung in der Pressemitteilung",
    "Stand auf der Messe",
    "Link im Newsletter",
]


def demo_iban(rng: random.Random) -> str:
    """A German IBAN with correct check digits at a bank the registry knows (not a real account)."""
    return str(
        IBAN.generate(
            "DE", bank_code=rng.choice(BANK_CODES), account_code=str(rng.randint(10**8, 10**10 - 1))
        )
    )


def _schedules(today: date) -> list[int]:
    years = [today.year - 2, today.year - 1, today.year]
    for step, year in enumerate(years):
        if db.session.scalar(sa.select(FeeSchedule.id).where(FeeSchedule.year == year)):
            continue
        raise_by = 100 + 5 * step  # +5 % a year
        db.session.add(
            FeeSchedule(
                year=year,
                micro_cents=15000 * raise_by // 100,
                small_cents=30000 * raise_by // 100,
                medium_cents=60000 * raise_by // 100,
                large_cents=120000 * raise_by // 100,
                supporting_cents=25000,
                pro_rata=ProRataRule.MONTHLY,
                regular_vat=False,
                supporting_vat=False,
                due_on=date(year, 3, 31),
            )
        )
    db.session.flush()
    return years


def _memberships(context: DemoContext, organisations: list[int], today: date) -> None:
    rng = context.rng
    rows: list[dict[str, Any]] = []
    start_id = (db.session.scalar(sa.select(sa.func.max(Membership.id))) or 0) + 1
    now = datetime.now(UTC)
    for n, org_id in enumerate(organisations):
        membership_id = start_id + n
        starts = today - timedelta(days=rng.randint(30, 6 * 365))
        ends = None
        if rng.random() < 0.08:
            ends = min(today - timedelta(days=1), starts + timedelta(days=rng.randint(365, 3 * 365)))
            ends = max(ends, starts)
        sepa = rng.random() < 0.7
        row: dict[str, Any] = {
            "id": membership_id,
            "organisation_id": org_id,
            "kind": MembershipKind.SUPPORTING if rng.random() < 0.12 else MembershipKind.REGULAR,
            "starts_on": starts,
            "ends_on": ends,
            "cancelled_on": ends - timedelta(days=90)
            if ends and ends - timedelta(days=90) >= starts
            else None,
            "payment_method": PaymentMethod.SEPA if sepa else PaymentMethod.INVOICE,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for name in (
            "mandate_reference",
            "mandate_signed_on",
            "account_holder",
            "iban",
            "bic",
            "sepa_scheme",
            "last_debit_on",
        ):
            row[name] = None
        if sepa:
            iban = demo_iban(rng)
            row.update(
                mandate_reference=f"MITGL-{membership_id:06d}",
                mandate_signed_on=starts,
                account_holder=f"Firma {org_id}",
                iban=iban,
                bic=derive_bic(iban),
                sepa_scheme=SepaScheme.B2B if rng.random() < 0.2 else SepaScheme.CORE,
                last_debit_on=(date(today.year - 4, 5, 2) if rng.random() < 0.03 else None),
            )
        rows.append(row)
    if rows:
        db.session.execute(sa.insert(Membership), rows)
        names = dict(
            db.session.execute(
                sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisations))
            ).all()
        )
        db.session.execute(
            sa.update(Membership.__table__)
            .where(Membership.__table__.c.id == sa.bindparam("m_id"))
            .values(account_holder=sa.bindparam("holder"))
            .execution_options(synchronize_session=False),
            [{"m_id": r["id"], "holder": names[r["organisation_id"]][:70]} for r in rows if r["iban"]],
        )


def _partner_stage(organisations: list[int]) -> None:
    """Members are partners: move them there, with the automatic stage change in their history."""
    stages = db.session.execute(
        sa.select(Organisation.id, Organisation.stage).where(Organisation.id.in_(organisations))
    ).all()
    moving = [(org_id, stage) for org_id, stage in stages if Stage(stage).rank < Stage.PARTNER.rank]
    if not moving:
        return
    now = datetime.now(UTC)
    db.session.execute(
        sa.insert(StageChange),
        [
            {
                "organisation_id": org_id,
                "from_stage": Stage(stage),
                "to_stage": Stage.PARTNER,
                "changed_at": now,
                "is_automatic": True,
                "reason": "Mitgliedschaft begonnen",
            }
            for org_id, stage in moving
        ],
    )
    db.session.execute(
        sa.update(Organisation)
        .where(Organisation.id.in_([org_id for org_id, _ in moving]))
        .values(stage=Stage.PARTNER, stage_changed_at=now)
        .execution_options(synchronize_session=False)
    )


def _payments(context: DemoContext, years: list[int], today: date) -> None:
    """Past years are mostly paid, the current one about half; a few waived and dunned."""
    rng = context.rng
    paid_share = {years[0]: 0.97, years[1]: 0.92, years[2]: 0.55}
    updates: list[dict[str, Any]] = []
    for fee_id, year, due_on, method in db.session.execute(
        sa.select(Fee.id, Fee.year, Fee.due_on, Fee.payment_method).where(Fee.year.in_(years))
    ):
        roll = rng.random()
        values = {"f_id": fee_id, "status": FeeStatus.OPEN, "paid_on": None, "dunning": 0, "reason": None}
        if roll < paid_share[year]:
            paid = min(today, due_on + timedelta(days=rng.randint(0, 60)))
            values.update(status=FeeStatus.PAID, paid_on=paid)
        elif roll < paid_share[year] + 0.02 and year < today.year:
            values.update(status=FeeStatus.WAIVED, reason="Insolvenzverfahren")
        elif year < today.year and method != PaymentMethod.SEPA:
            values["dunning"] = rng.randint(1, 3)
        updates.append(values)
    if updates:
        db.session.execute(
            sa.update(Fee.__table__)
            .where(Fee.__table__.c.id == sa.bindparam("f_id"))
            .values(
                status=sa.bindparam("status"),
                paid_on=sa.bindparam("paid_on"),
                dunning_level=sa.bindparam("dunning"),
                waived_reason=sa.bindparam("reason"),
            )
            .execution_options(synchronize_session=False),
            updates,
        )
    # Mandates were used for last year's collection (unless deliberately stale).
    db.session.execute(
        sa.update(Membership)
        .where(
            Membership.payment_method == PaymentMethod.SEPA,
            Membership.last_debit_on.is_(None),
            Membership.starts_on < date(today.year - 1, 4, 1),
        )
        .values(last_debit_on=date(today.year - 1, 4, 15))
        .execution_options(synchronize_session=False)
    )


def _sponsorships(context: DemoContext, organisations: list[int], today: date) -> None:
    rng = context.rng
    rows = []
    now = datetime.now(UTC)
    statuses = list(SponsorshipStatus)
    weights = [15, 15, 15, 10, 35, 10]
    for org_id in organisations:
        kind = rng.choices(list(SponsorshipKind), weights=[60, 30, 10])[0]
        starts = today - timedelta(days=rng.randint(0, 3 * 365))
        in_kind = rng.random() < 0.25
        rows.append(
            {
                "organisation_id": org_id,
                "kind": kind,
                "purpose": f"{rng.choice(PURPOSES)} {starts.year}",
                "starts_on": starts,
                "ends_on": starts + timedelta(days=rng.choice([0, 30, 180, 364])),
                "year": starts.year,
                "cash_cents": rng.randint(5, 200) * 5000,
                "in_kind_description": "Räume und Catering" if in_kind else None,
                "in_kind_value_cents": rng.randint(2, 40) * 5000 if in_kind else 0,
                "counter_performances": rng.sample(COUNTER, k=rng.randint(1, 3))
                if kind != SponsorshipKind.DONATION
                else [],
                "vat_treatment": VatTreatment.NOT_TAXABLE
                if kind == SponsorshipKind.DONATION
                else VatTreatment.TAXABLE,
                "status": rng.choices(statuses, weights=weights)[0],
                "document_number": f"RE-{starts.year}-{rng.randint(100, 999)}"
                if rng.random() < 0.5
                else None,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    if rows:
        db.session.execute(sa.insert(Sponsorship), rows)


def seed_memberships(context: DemoContext) -> None:
    """Schedules, memberships with mandates, three fee runs with payments, and sponsorships."""
    today = date.today()
    organisations = context.ids.get("organisations") or list(db.session.scalars(sa.select(Organisation.id)))
    rng = context.rng
    members = rng.sample(organisations, min(2000, len(organisations) // 5))
    years = _schedules(today)
    if db.session.scalar(sa.select(CreditorSettings.id)) is None:
        creditor_iban = demo_iban(rng)
        db.session.add(
            CreditorSettings(
                name="Bildungsnetzwerk Region e.V.",
                iban=creditor_iban,
                bic=derive_bic(creditor_iban),
                creditor_id="DE98ZZZ09999999999",
                prenotification_days=14,
            )
        )
    _memberships(context, members, today)
    _partner_stage(members)
    db.session.flush()
    for year in years:
        create_fees(year, actor=None)
    _payments(context, years, today)
    sponsors = rng.sample(organisations, min(300, len(organisations) // 30))
    _sponsorships(context, sponsors, today)
    db.session.flush()
    context.ids["memberships"] = members
