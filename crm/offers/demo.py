"""Demo data: offers for about a fifth of the companies in later stages, a few key accounts with
plans and decision-maker maps, and a few company groups with joint offers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
import sqlalchemy as sa

from crm.activities.dates import local_today
from crm.activities.models import FollowUp
from crm.core.demo import DemoContext
from crm.extensions import db
from crm.offers.models import (
    AccountPlan,
    CompanyGroup,
    CompanyGroupMember,
    DecisionMapEntry,
    KeyAccount,
    Offer,
)
from crm.offers.vocab import DEFAULT_PROBABILITY, DecisionRole, GroupKind, LostReason, OfferStatus
from crm.organisations.demo import Stamps, insert_rows
from crm.organisations.models import ContactPerson, Organisation
from crm.organisations.visibility import shared_organisation_scope
from crm.organisations.vocab import Stage

PRODUCTS = [
    "Excel für Fortgeschrittene",
    "Führen im Handwerksbetrieb",
    "Digitalisierung im Kleinbetrieb",
    "Ausbildung der Ausbilder (AEVO)",
    "Deutsch am Arbeitsplatz",
    "Blended Learning: Projektmanagement",
    "Arbeitssicherheit und Erste Hilfe",
    "Kundenkommunikation am Telefon",
    "Buchhaltung mit DATEV",
    "KI-Werkzeuge im Büroalltag",
]
TITLES = ["Inhouse-Schulung", "Schulungspaket", "Weiterbildungsreihe", "Workshop", "Qualifizierung"]
GROUPS = [
    ("Weiterbildungsverbund Handwerk", GroupKind.TRAINING_CLUSTER),
    ("Blended-Learning-Verbund Gastgewerbe", GroupKind.TRAINING_CLUSTER),
    ("Lernnetzwerk Kleinstbetriebe Süd", GroupKind.TRAINING_CLUSTER),
    ("Niederlassungen Nordlicht Logistik", GroupKind.BRANCHES),
]
GOALS = "Alle Auszubildenden qualifizieren; zwei Führungskräfte-Workshops; Mitgliedschaft halten."
BATCH = 5000


def _offer_rows(
    context: DemoContext, candidates: list[Any], today: date, stamps: Stamps
) -> list[dict[str, Any]]:
    rng = context.rng
    now = datetime.now(UTC).replace(tzinfo=None)
    rows: list[dict[str, Any]] = []
    for org_id, stage, owner_id in candidates:
        stage = Stage(stage)
        if stage == Stage.NEEDS_ANALYSIS and rng.random() > 0.3:
            continue
        if stage in (Stage.CUSTOMER, Stage.PARTNER):
            statuses = [OfferStatus.WON] + ([OfferStatus.OPEN] if rng.random() < 0.3 else [])
        elif stage == Stage.OFFER:
            statuses = [rng.choice([OfferStatus.OPEN, OfferStatus.SENT, OfferStatus.SENT])]
            if rng.random() < 0.2:
                statuses.append(OfferStatus.LOST)
        else:
            statuses = [OfferStatus.OPEN]
        for status in statuses:
            product = rng.choice(PRODUCTS)
            closed = status in (OfferStatus.WON, OfferStatus.LOST)
            close = (
                today - timedelta(days=rng.randint(5, 540))
                if closed
                else today + timedelta(days=rng.randint(-20, 270))
            )
            created = datetime.combine(close - timedelta(days=rng.randint(20, 120)), datetime.min.time())
            created = min(created, now)
            lost = status == OfferStatus.LOST
            rows.append(
                {
                    "organisation_id": org_id,
                    "group_id": None,
                    "title": f"{rng.choice(TITLES)} {product}",
                    "product": product,
                    "value_cents": rng.randrange(800, 25_000, 50) * 100,
                    "probability": DEFAULT_PROBABILITY[status]
                    if closed
                    else rng.choice([DEFAULT_PROBABILITY[status], 30, 60, 75]),
                    "expected_close_on": stamps.day(close),
                    "status": status.value,
                    "lost_reason": rng.choice(list(LostReason)).value if lost else None,
                    "lost_note": "Laut Geschäftsführung im nächsten Jahr wieder interessant."
                    if lost
                    else None,
                    "sent_on": stamps.day(close - timedelta(days=14)) if status != OfferStatus.OPEN else None,
                    "closed_on": stamps.day(close) if closed else None,
                    "owner_id": owner_id,
                    "notes": None,
                    "created_at": stamps.at(created),
                    "updated_at": stamps.at(created),
                    "created_by_id": owner_id,
                    "version": 1,
                }
            )
    return rows


def _key_accounts(context: DemoContext, today: date) -> None:
    rng = context.rng
    picks = db.session.execute(
        sa.select(Organisation.id, Organisation.owner_id)
        .where(shared_organisation_scope(), Organisation.stage.in_([Stage.CUSTOMER, Stage.PARTNER]))
        .order_by(Organisation.id)
        .limit(8)
    ).all()
    roles = list(DecisionRole)
    for org_id, owner_id in picks:
        if db.session.get(KeyAccount, org_id) is not None:
            continue
        review = today + timedelta(days=rng.randint(7, 120))
        follow_up = None
        if owner_id:
            follow_up = FollowUp(
                organisation_id=org_id,
                assignee_id=owner_id,
                due_on=review,
                what="Key-Account-Review: Account-Plan besprechen",
                created_by_id=owner_id,
            )
            db.session.add(follow_up)
            db.session.flush()
        db.session.add(
            KeyAccount(
                organisation_id=org_id,
                next_review_on=review,
                follow_up_id=follow_up.id if follow_up else None,
                marked_by_id=owner_id,
            )
        )
        for year in (today.year - 1, today.year):
            db.session.add(
                AccountPlan(
                    organisation_id=org_id,
                    year=year,
                    goals=GOALS,
                    revenue_potential_cents=rng.randrange(10_000, 80_000, 1000) * 100,
                )
            )
        contacts = db.session.scalars(
            sa.select(ContactPerson.id)
            .where(ContactPerson.organisation_id == org_id)
            .order_by(ContactPerson.id)
        ).all()
        for n, contact_id in enumerate(contacts):
            db.session.add(
                DecisionMapEntry(
                    contact_person_id=contact_id,
                    organisation_id=org_id,
                    role=roles[0] if n == 0 else rng.choice(roles[1:]),
                )
            )
    db.session.flush()


def _groups(context: DemoContext, today: date) -> None:
    rng = context.rng
    if db.session.scalar(sa.select(sa.func.count()).select_from(CompanyGroup)):
        return
    pool = db.session.execute(
        sa.select(Organisation.id, Organisation.owner_id)
        .where(shared_organisation_scope())
        .order_by(Organisation.id.desc())
        .limit(200)
    ).all()
    for n, (name, kind) in enumerate(GROUPS):
        members = rng.sample(pool, min(len(pool), rng.randint(3, 6)))
        if not members:
            return
        group = CompanyGroup(name=name, kind=kind, coordinator_id=members[0][0])
        db.session.add(group)
        db.session.flush()
        for org_id, _owner in members:
            db.session.add(CompanyGroupMember(group_id=group.id, organisation_id=org_id))
        if n < 2:
            db.session.add(
                Offer(
                    group_id=group.id,
                    title="Gemeinsame Qualifizierung " + rng.choice(PRODUCTS),
                    product=rng.choice(PRODUCTS),
                    value_cents=rng.randrange(10_000, 40_000, 500) * 100,
                    probability=DEFAULT_PROBABILITY[OfferStatus.SENT],
                    expected_close_on=today + timedelta(days=rng.randint(20, 150)),
                    status=OfferStatus.SENT,
                    sent_on=today - timedelta(days=10),
                    owner_id=members[0][1],
                    created_by_id=members[0][1],
                )
            )
    db.session.flush()


def seed_offers(context: DemoContext) -> None:
    """Offers in batches (Core inserts), then key accounts and groups through the ORM."""
    today = local_today()
    stamps = Stamps(db.session.connection().dialect.name == "sqlite")
    candidates = db.session.execute(
        sa.select(Organisation.id, Organisation.stage, Organisation.owner_id)
        .where(
            shared_organisation_scope(),
            Organisation.stage.in_([Stage.NEEDS_ANALYSIS, Stage.OFFER, Stage.CUSTOMER, Stage.PARTNER]),
        )
        .order_by(Organisation.id)
    ).all()
    rows = _offer_rows(context, list(candidates), today, stamps)
    connection = db.session.connection()
    with click.progressbar(length=len(rows), label="Angebote") as bar:
        for start in range(0, len(rows), BATCH):
            insert_rows(connection, Offer.__table__, rows[start : start + BATCH])
            bar.update(min(BATCH, len(rows) - start))
    _key_accounts(context, today)
    _groups(context, today)
