"""The yearly fee run (Beitragslauf): one fee per membership active in the year, never two.

The run reads plain rows and inserts fees in batches (no ORM objects), so 20,000 memberships
take well under the five-second goal. It can work in chunks: the browser posts one chunk after
the other and shows the progress; without JavaScript one request does everything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.errors import PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.memberships.models import Fee, FeeSchedule, Membership
from crm.memberships.money import prorated
from crm.memberships.schedules import schedule_for
from crm.memberships.vocab import FeeStatus, MembershipKind, PaymentMethod
from crm.organisations.models import Organisation
from crm.organisations.vocab import SizeClass

SUPPORTING = "supporting"


@dataclass(frozen=True)
class Problem:
    """A membership the run leaves out, and why."""

    membership_id: int
    organisation_id: int
    organisation_name: str
    reason: str


@dataclass
class Preview:
    year: int
    schedule: FeeSchedule
    count: int = 0
    total_cents: int = 0
    by_class: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    problems: list[Problem] = field(default_factory=list)
    existing: int = 0

    @property
    def class_rows(self) -> list[tuple[str, int, int]]:
        order = [*(s.value for s in SizeClass), SUPPORTING]
        return [(key, *self.by_class[key]) for key in order if key in self.by_class]


def require_schedule(year: int) -> FeeSchedule:
    """The year's schedule, or a clear error (nothing is written without one)."""
    schedule = schedule_for(year)
    if schedule is None:
        raise ValidationFailed(
            _("Für %(year)s gibt es keine Beitragsordnung. Bitte zuerst eine anlegen.", year=year)
        )
    return schedule


def _candidates(year: int, after_id: int = 0, limit: int | None = None) -> sa.Select[Any]:
    """Memberships active in ``year`` that have no fee for it yet, as plain columns."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    has_fee = sa.exists().where(Fee.membership_id == Membership.id, Fee.year == year)
    stmt = (
        sa.select(
            Membership.id,
            Membership.organisation_id,
            Membership.kind,
            Membership.starts_on,
            Membership.payment_method,
            Organisation.name,
            Organisation.size_class,
            Organisation.is_archived,
        )
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(
            Membership.starts_on <= last,
            sa.or_(Membership.ends_on.is_(None), Membership.ends_on >= first),
            ~has_fee,
            Membership.id > after_id,
        )
        .order_by(Membership.id)
    )
    return stmt.limit(limit) if limit else stmt


def _assess(schedule: FeeSchedule, row: Any) -> tuple[dict[str, Any] | None, Problem | None]:
    """The fee values for one candidate row, or the reason it is left out."""
    m_id, org_id, kind, starts_on, method, name, size_class, archived = row
    kind = MembershipKind(kind)

    def problem(reason: str) -> tuple[None, Problem]:
        return None, Problem(m_id, org_id, name, reason)

    if archived:
        return problem(_("Unternehmen ist archiviert"))
    if kind == MembershipKind.REGULAR and size_class is None:
        return problem(_("Unternehmen hat keine Größenklasse"))
    full = schedule.amount_for(kind, size_class)
    if full is None:
        return problem(_("Beitragsordnung enthält keinen Betrag für diese Größenklasse"))
    amount, months = prorated(full, schedule.pro_rata, starts_on, schedule.year)
    return {
        "membership_id": m_id,
        "organisation_id": org_id,
        "year": schedule.year,
        "kind": kind,
        "size_class": SizeClass(size_class) if kind == MembershipKind.REGULAR else None,
        "pro_rata": schedule.pro_rata,
        "months": months,
        "full_amount_cents": full,
        "amount_cents": amount,
        "is_vat": schedule.vat_for(kind),
        "payment_method": PaymentMethod(method),
        "due_on": max(schedule.due_on, starts_on),
        "status": FeeStatus.OPEN,
        "dunning_level": 0,
    }, None


def preview(year: int) -> Preview:
    """What a run would create now: count, total, per size class, and the problems."""
    schedule = require_schedule(year)
    result = Preview(year=year, schedule=schedule)
    for row in db.session.execute(_candidates(year)):
        values, problem = _assess(schedule, row)
        if problem is not None:
            result.problems.append(problem)
            continue
        assert values is not None
        key = SUPPORTING if values["kind"] == MembershipKind.SUPPORTING else values["size_class"].value
        result.count += 1
        result.total_cents += values["amount_cents"]
        result.by_class[key][0] += 1
        result.by_class[key][1] += values["amount_cents"]
    result.existing = db.session.scalar(sa.select(sa.func.count()).where(Fee.year == year)) or 0
    return result


@dataclass
class ChunkResult:
    created: int
    total_cents: int
    skipped: int
    last_id: int
    done: bool


def run_chunk(year: int, *, actor: User, after_id: int = 0, limit: int | None = None) -> ChunkResult:
    """Create the fees of the next ``limit`` candidate memberships (all when ``None``)."""
    if not permissions.can_manage_memberships(actor):
        raise PermissionDenied(_("Nur die Leitung führt den Beitragslauf aus."))
    return create_fees(year, actor=actor, after_id=after_id, limit=limit)


def create_fees(year: int, *, actor: User | None, after_id: int = 0, limit: int | None = None) -> ChunkResult:
    """The run itself, without the permission check (demo data and benchmarks call it directly)."""
    schedule = require_schedule(year)
    rows = db.session.execute(_candidates(year, after_id, limit)).all()
    now = utcnow()
    fees, skipped, total = [], 0, 0
    for row in rows:
        values, problem = _assess(schedule, row)
        if problem is not None:
            skipped += 1
            continue
        assert values is not None
        values["created_at"] = values["updated_at"] = now
        total += values["amount_cents"]
        fees.append(values)
    if fees:
        db.session.execute(sa.insert(Fee.__table__), fees)  # Core: one executemany, no ORM bookkeeping
    last_id = rows[-1][0] if rows else after_id
    done = limit is None or len(rows) < limit
    if fees or done:
        record(
            "fee_run",
            entity_type="fees",
            actor=actor,
            details={"year": year, "created": len(fees), "total_cents": total, "skipped": skipped},
        )
    db.session.flush()
    return ChunkResult(len(fees), total, skipped, last_id, done)
