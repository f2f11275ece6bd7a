"""The acquisition board: companies by stage, with counts and open offer values per column.

Every figure is one aggregate query (GROUP BY stage), and each column loads only its first cards,
so the board costs the same number of queries for 300 companies as for 100,000. A stage change
from the board is one action: a checked move, an audit entry and a stage-history row (timeline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from crm.audit.services import record
from crm.auth import permissions
from crm.auth.models import Role, User
from crm.core.errors import Conflict, PermissionDenied, ValidationFailed
from crm.core.params import int_arg
from crm.extensions import db
from crm.offers.models import Offer
from crm.offers.vocab import OPEN_STATUSES
from crm.organisations.models import Organisation, StageChange
from crm.organisations.services import change_stage
from crm.organisations.visibility import organisation_visibility
from crm.organisations.vocab import FUNNEL, Stage

COLUMNS = [*FUNNEL, Stage.DORMANT, Stage.LOST]
CARDS_PER_COLUMN = 12
MAX_CARDS_PER_COLUMN = 100


@dataclass
class BoardQuery:
    owner: str | None = None
    region: str = ""
    limit: int = CARDS_PER_COLUMN

    @property
    def is_filtered(self) -> bool:
        return bool(self.owner or self.region)

    def list_args(self) -> dict[str, str]:
        """The same filter for the company list (drill-down from a column)."""
        args = {}
        if self.owner:
            args["owner"] = self.owner
        if self.region:
            args["region"] = self.region
        return args


def parse_query() -> BoardQuery:
    owner = request.args.get("owner", "")
    if owner and owner not in ("me", "none") and not owner.isdigit():
        raise BadRequest(_("Unbekannter Wert %(value)r für %(name)s.", value=owner[:50], name="owner"))
    limit = int_arg("limit", default=CARDS_PER_COLUMN)
    if limit is None or not 1 <= limit <= MAX_CARDS_PER_COLUMN:
        raise BadRequest(_("Der Parameter %(name)s muss zwischen 1 und 100 liegen.", name="limit"))
    return BoardQuery(owner=owner or None, region=request.args.get("region", "").strip()[:100], limit=limit)


def _where(query: BoardQuery, user: Any) -> list[Any]:
    conditions = [organisation_visibility(user)]
    if query.owner == "me":
        conditions.append(Organisation.owner_id == user.id)
    elif query.owner == "none":
        conditions.append(Organisation.owner_id.is_(None))
    elif query.owner:
        conditions.append(Organisation.owner_id == int(query.owner))
    if query.region:
        conditions.append(Organisation.region == query.region)
    return conditions


@dataclass
class Card:
    id: int
    name: str
    city: str | None
    owner_name: str | None
    owner_id: int | None
    version: int
    open_offer_cents: int = 0


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    open_offers: int = 0
    open_value_cents: int = 0
    weighted_cents: int = 0
    cards: list[Card] = field(default_factory=list)


def board(query: BoardQuery, user: Any) -> list[BoardColumn]:
    """The columns with counts, open offer figures and their first cards (constant query count)."""
    where = _where(query, user)
    columns = {stage: BoardColumn(stage) for stage in COLUMNS}
    counts = sa.select(Organisation.stage, sa.func.count()).where(*where).group_by(Organisation.stage)
    for stage, n in db.session.execute(counts):
        columns[Stage(stage)].count = int(n)
    offers = (
        sa.select(
            Organisation.stage,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Offer.value_cents), 0),
            sa.func.coalesce(sa.func.sum(Offer.value_cents * Offer.probability), 0),
        )
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(Offer.status.in_(OPEN_STATUSES), *where)
        .group_by(Organisation.stage)
    )
    for stage, n, value, weighted in db.session.execute(offers):
        column = columns[Stage(stage)]
        column.open_offers, column.open_value_cents, column.weighted_cents = (
            int(n),
            int(value),
            int(weighted) // 100,
        )
    cards: dict[int, Card] = {}
    # Every column's first cards in one query: a UNION ALL of one limited SELECT per stage (each
    # served by the (is_archived, stage) index), so the query count does not depend on the data.
    parts = [
        sa.select(
            sa.select(
                Organisation.id,
                Organisation.name,
                Organisation.city,
                User.name.label("owner_name"),
                Organisation.owner_id,
                Organisation.version,
                Organisation.stage,
            )
            .outerjoin(User, User.id == Organisation.owner_id)
            .where(Organisation.stage == stage, *where)
            .order_by(Organisation.id.desc())
            .limit(query.limit)
            .subquery(f"cards_{stage.value}")
        )
        for stage in COLUMNS
        if columns[stage].count
    ]
    if parts:
        for row in db.session.execute(sa.union_all(*parts)):
            card = Card(*row[:6])
            cards[card.id] = card
            columns[Stage(row[6])].cards.append(card)
        for column in columns.values():  # UNION ALL promises no order
            column.cards.sort(key=lambda c: -c.id)
    if cards:
        values = (
            sa.select(Offer.organisation_id, sa.func.sum(Offer.value_cents))
            .where(Offer.organisation_id.in_(list(cards)), Offer.status.in_(OPEN_STATUSES))
            .group_by(Offer.organisation_id)
        )
        for org_id, value in db.session.execute(values):
            cards[org_id].open_offer_cents = int(value or 0)
    return [columns[stage] for stage in COLUMNS]


def movable(user: Any, columns: list[BoardColumn]) -> set[int]:
    """Ids of the cards ``user`` may move (same rule as editing the company; one role check)."""
    cards = [card for column in columns for card in column.cards]
    if not cards or not permissions.has_role(user, Role.STAFF):
        return set()
    if permissions.is_manager(user):
        return {card.id for card in cards}
    return {card.id for card in cards if card.owner_id in (None, user.id)}


def move(
    org: Organisation, stage: Stage | str, *, actor: User, expected_version: int | None, reason: str | None
) -> StageChange | None:
    """Move a company to another stage from the board: checked, audited, in the stage history."""
    if not permissions.can_change_stage(actor, org):
        raise PermissionDenied(_("Sie dürfen die Phase dieses Unternehmens nicht ändern."))
    stage = Stage(stage)
    reason = (reason or "").strip()[:500] or None
    if expected_version is not None and org.version != expected_version:
        raise Conflict(_("%(name)s wurde inzwischen geändert. Bitte erneut verschieben.", name=org.name))
    if stage in (Stage.LOST, Stage.DORMANT) and not reason:
        raise ValidationFailed({"reason": [_("Bitte einen Grund für „verloren“ bzw. „ruhend“ angeben.")]})
    before = org.stage
    change = change_stage(org, stage, actor=actor, reason=reason)
    if change is None:
        return None
    record(
        "organisation_stage_changed",
        entity=org,
        actor=actor,
        changes={"stage": [before.value, stage.value]},
        details={"via": "board", "reason": reason},
    )
    db.session.flush()
    return change
