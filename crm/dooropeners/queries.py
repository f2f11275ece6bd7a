"""Door-opener list with its result columns, computed in the database in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import request

from crm.auth.permissions import is_manager
from crm.core.params import choice_arg, sort_arg
from crm.core.query import contains_pattern
from crm.core.sqlfuncs import days_between, median_by
from crm.dooropeners.models import DoorOpener, DoorOpenerResult, Introduction
from crm.dooropeners.vocab import DoorOpenerKind
from crm.organisations.models import Organisation
from crm.organisations.visibility import shared_organisation_scope


def live_results(
    door_opener_ids: list[int] | None = None, *, since: Any = None, until: Any = None
) -> sa.Select[Any]:
    """Per door-opener: introductions, companies, converted companies and median days (live SQL).

    Counts the companies every user may see (archived ones never count). A company converted
    when it reached customer or partner; days run from the introduction to the company's first
    contact and to it becoming a customer, leaving out companies that got there before.
    """
    scope = [shared_organisation_scope()]
    if door_opener_ids is not None:
        scope.append(Introduction.door_opener_id.in_(door_opener_ids))
    if since is not None:
        scope.append(Introduction.introduced_on >= since)
    if until is not None:
        scope.append(Introduction.introduced_on <= until)
    joined = sa.join(Introduction, Organisation, Organisation.id == Introduction.organisation_id)
    counts = (
        sa.select(
            Introduction.door_opener_id.label("door_opener_id"),
            sa.func.count().label("introductions"),
            sa.func.count(sa.distinct(Introduction.organisation_id)).label("companies"),
            sa.func.count(
                sa.distinct(sa.case((Organisation.won_at.is_not(None), Introduction.organisation_id)))
            ).label("converted"),
        )
        .select_from(joined)
        .where(*scope)
        .group_by(Introduction.door_opener_id)
        .subquery("counts")
    )
    source = (
        sa.select(
            Introduction.door_opener_id,
            Introduction.introduced_on,
            Organisation.first_contact_at,
            Organisation.won_at,
        )
        .select_from(joined)
        .where(*scope)
        .subquery("source")
    )
    to_contact = sa.case(
        (
            source.c.first_contact_at >= source.c.introduced_on,
            days_between(source.c.first_contact_at, source.c.introduced_on),
        ),
    )
    to_customer = sa.case(
        (source.c.won_at >= source.c.introduced_on, days_between(source.c.won_at, source.c.introduced_on)),
    )
    contact = median_by(source.c.door_opener_id, to_contact, source)
    customer = median_by(source.c.door_opener_id, to_customer, source)
    return (
        sa.select(
            counts.c.door_opener_id,
            counts.c.introductions,
            counts.c.companies,
            counts.c.converted,
            contact.c.median.label("median_days_contact"),
            customer.c.median.label("median_days_customer"),
        )
        .outerjoin(contact, contact.c.grp == counts.c.door_opener_id)
        .outerjoin(customer, customer.c.grp == counts.c.door_opener_id)
    )


@dataclass
class DoorOpenerQuery:
    q: str = ""
    kind: str | None = None
    region: str = ""
    archived: bool = False
    sort: str = "institution"


SORT_KEYS = (
    "institution",
    "kind",
    "region",
    "person",
    "introductions",
    "converted",
    "conversion",
    "days_contact",
    "days_customer",
)


def parse_query(user: Any) -> DoorOpenerQuery:
    status = choice_arg("status", ("active", "archived"), default="active")
    sort_arg(dict.fromkeys(SORT_KEYS), default="institution")
    return DoorOpenerQuery(
        q=request.args.get("q", "").strip()[:100],
        kind=choice_arg("kind", [k.value for k in DoorOpenerKind]),
        region=request.args.get("region", "").strip()[:100],
        archived=status == "archived" and is_manager(user),
        sort=request.args.get("sort") or "institution",
    )


def list_statement(query: DoorOpenerQuery, user: Any) -> sa.Select[Any]:
    """Rows of (DoorOpener, introductions, companies, converted, conversion, days_contact, days_customer)."""
    results = DoorOpenerResult
    introductions = sa.func.coalesce(results.introductions, 0)
    companies = sa.func.coalesce(results.companies, 0)
    converted = sa.func.coalesce(results.converted, 0)
    conversion = sa.cast(converted, sa.Float) / sa.func.nullif(companies, 0)
    stmt = (
        sa.select(
            DoorOpener,
            introductions.label("introductions"),
            companies.label("companies"),
            converted.label("converted"),
            conversion.label("conversion"),
            results.median_days_contact.label("days_contact"),
            results.median_days_customer.label("days_customer"),
        )
        .outerjoin(results, results.door_opener_id == DoorOpener.id)
        .where(DoorOpener.is_archived.is_(query.archived))
    )
    if query.kind:
        stmt = stmt.where(DoorOpener.kind == DoorOpenerKind(query.kind))
    if query.region:
        stmt = stmt.where(DoorOpener.region == query.region)
    if query.q:
        pattern = contains_pattern(query.q)
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(DoorOpener.institution).like(pattern, escape="\\"),
                sa.func.lower(DoorOpener.last_name).like(pattern, escape="\\"),
                sa.func.lower(DoorOpener.first_name).like(pattern, escape="\\"),
            )
        )
    sorts = {
        "institution": DoorOpener.institution,
        "kind": DoorOpener.kind,
        "region": DoorOpener.region,
        "person": DoorOpener.last_name,
        "introductions": introductions,
        "converted": converted,
        "conversion": conversion,
        "days_contact": results.median_days_contact,
        "days_customer": results.median_days_customer,
    }
    key = query.sort.removeprefix("-")
    column = sorts[key]
    order = column.desc() if query.sort.startswith("-") else column.asc()
    return stmt.order_by(order.nulls_last(), DoorOpener.id)
