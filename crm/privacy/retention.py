"""Retention duties after an erasure: which records must stay, until when, and their release.

Accounting records — fees, SEPA mandates and collections, invoiced sponsorships — are kept for
8 years from the end of the calendar year they last concern (HGB §257 / AO §147 since 2025). An
erasure puts a ``RetentionHold`` on each such record instead of anonymising it; the retention
review lists the holds whose period has ended, and releasing one removes its personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa

from crm.extensions import db
from crm.memberships.models import Collection, CollectionItem, Fee, Membership
from crm.privacy.models import RetentionHold
from crm.sponsorships.models import Sponsorship

RETENTION_YEARS = 8
RELEASE_MODELS: dict[str, Any] = {
    "memberships": Membership,
    "fees": Fee,
    "collections": Collection,
    "sponsorships": Sponsorship,
}


def keep_until(year: int) -> date:
    """The last day a record about ``year`` must be kept: 8 years after that year's end."""
    return date(year + RETENTION_YEARS, 12, 31)


def _years(*days: date | None) -> list[int]:
    return [d.year for d in days if d is not None]


def holds_for_memberships(membership_ids: Iterable[int]) -> dict[tuple[str, int], date]:
    """(table, id) → keep-until for the memberships, their fees and the collections with them."""
    ids = sorted(set(membership_ids))
    if not ids:
        return {}
    today = date.today()
    found: dict[tuple[str, int], date] = {}
    fees = list(db.session.scalars(sa.select(Fee).where(Fee.membership_id.in_(ids))))
    last_fee_year: dict[int, int] = {}
    for fee in fees:
        year = max([fee.year, *_years(fee.paid_on, fee.returned_on)])
        found[("fees", fee.id)] = keep_until(year)
        last_fee_year[fee.membership_id] = max(year, last_fee_year.get(fee.membership_id, 0))
    for membership in db.session.scalars(sa.select(Membership).where(Membership.id.in_(ids))):
        running = membership.ends_on is None or membership.ends_on >= today
        years = _years(
            membership.starts_on,
            membership.ends_on,
            membership.cancelled_on,
            membership.last_debit_on,
            membership.mandate_signed_on,
            today if running else None,
        )
        found[("memberships", membership.id)] = keep_until(max([*years, last_fee_year.get(membership.id, 0)]))
    fee_ids = [fee.id for fee in fees]
    if fee_ids:
        collections = db.session.execute(
            sa.select(Collection.id, Collection.collection_date)
            .join(CollectionItem, CollectionItem.collection_id == Collection.id)
            .where(CollectionItem.fee_id.in_(fee_ids))
            .distinct()
        ).all()
        for collection_id, collection_date in collections:
            found[("collections", collection_id)] = keep_until(collection_date.year)
    return found


def holds_for_sponsorships(organisation_id: int) -> dict[tuple[str, int], date]:
    """Sponsorships that were invoiced or got a donation receipt (they carry a document number)."""
    rows = db.session.execute(
        sa.select(Sponsorship.id, Sponsorship.starts_on, Sponsorship.ends_on).where(
            Sponsorship.organisation_id == organisation_id, Sponsorship.document_number.is_not(None)
        )
    ).all()
    return {("sponsorships", sid): keep_until(max(_years(starts, ends))) for sid, starts, ends in rows}


def put_holds(
    holds: dict[tuple[str, int], date], *, erased_type: str, erased_id: int, actor: Any
) -> list[RetentionHold]:
    """Create (or extend) the holds; returns them."""
    made = []
    for (entity_type, entity_id), until in sorted(holds.items()):
        hold = db.session.scalar(
            sa.select(RetentionHold).where(
                RetentionHold.entity_type == entity_type, RetentionHold.entity_id == entity_id
            )
        )
        if hold is None:
            hold = RetentionHold(
                entity_type=entity_type,
                entity_id=entity_id,
                keep_until=until,
                erased_type=erased_type,
                erased_id=erased_id,
                created_by_id=actor.id if actor else None,
            )
            db.session.add(hold)
        else:
            hold.keep_until = max(hold.keep_until, until)
        made.append(hold)
    db.session.flush()
    return made


def held_keys() -> set[tuple[str, int]]:
    """(table, id) of every record under a hold (the scrub leaves them alone)."""
    rows = db.session.execute(sa.select(RetentionHold.entity_type, RetentionHold.entity_id))
    return {(entity_type, entity_id) for entity_type, entity_id in rows}


def is_restricted(entity_type: str, entity_id: int) -> RetentionHold | None:
    """The hold on a record, if it is restricted."""
    return db.session.scalar(
        sa.select(RetentionHold).where(
            RetentionHold.entity_type == entity_type, RetentionHold.entity_id == entity_id
        )
    )


def release(hold: RetentionHold) -> None:
    """The retention period has ended: clear the record's personal columns and drop the hold."""
    model = RELEASE_MODELS.get(hold.entity_type)
    record_ = db.session.get(model, hold.entity_id) if model is not None else None
    if record_ is not None:
        for column in model.__table__.columns:
            if not column.info.get("personal"):
                continue
            if column.nullable:
                setattr(record_, column.key, None)
            elif isinstance(column.type, sa.LargeBinary):
                setattr(record_, column.key, b"")
    db.session.delete(hold)
    db.session.flush()
