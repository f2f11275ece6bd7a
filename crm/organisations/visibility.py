"""The one place that decides which companies a user may read, and the helpers every read path uses.

Every read path — lists, search, exports, dashboards, feeds, duplicate checks — builds on these
helpers, so that archived or forbidden records cannot leak through a side door. Records that
belong to a company (contacts, follow-ups, offers, fees, …) follow their company's visibility.

The rule: nobody who is not logged in (or is deactivated) sees anything; everybody sees the active
companies; only managers may look at the archived ones, on their own list and detail pages.
Every other list, sum and figure shows the active companies only.

Three shapes of the same rule, for three kinds of query:

- ``organisation_visibility(user)``: a condition on ``Organisation`` for statements that join the
  companies anyway (lists with names, company filters);
- ``outside_hidden(organisation_id, user)``: "not one of the hidden companies", for statements over
  a company's records that need no company column (the hidden set is small and served by an index);
- ``visible_totals(...)``: additive aggregates (counts, sums) as "everything minus the hidden
  companies' share" — the first part reads only a covering index of the records, the second starts
  from the few hidden companies. Joining every record to its company instead costs a random read
  per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import abort

from crm.auth.models import Role
from crm.auth.permissions import has_role
from crm.core.sqlfuncs import CrossJoin
from crm.extensions import db
from crm.organisations.models import Organisation


def _may_read(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# --- conditions and statements ---------------------------------------------------------------


def organisation_visibility(
    user: Any, *, archived: bool = False, entity: Any = Organisation
) -> sa.ColumnElement[bool]:
    """Condition on ``Organisation`` (or an alias of it, ``entity``) for what ``user`` may list.

    Everybody sees the active companies; only managers may look at the archived ones.
    """
    if not _may_read(user):
        return sa.false()
    if archived:
        return entity.is_archived.is_(True) if has_role(user, Role.MANAGER) else sa.false()
    return entity.is_archived.is_(False)


def shared_organisation_scope() -> sa.ColumnElement[bool]:
    """The companies every user may see: the scope that summary tables are computed over.

    If visibility ever starts to differ between users, the summaries must be split by it.
    """
    return Organisation.is_archived.is_(False)


def visible_organisations(user: Any, *, archived: bool = False) -> sa.Select[Any]:
    """``SELECT organisations`` restricted to what ``user`` may list."""
    return sa.select(Organisation).where(organisation_visibility(user, archived=archived))


def organisation_hidden(user: Any) -> sa.ColumnElement[bool]:
    """Condition on ``Organisation`` for what ``user`` may *not* list (the complement of the active list).

    Counting "all minus hidden" reads only a covering index and the few hidden companies, where
    "join every row to its company" would visit thousands of company rows.
    """
    if not _may_read(user):
        return sa.true()
    return Organisation.is_archived.is_(True)


def outside_hidden(organisation_id: Any, user: Any) -> sa.ColumnElement[bool]:
    """Condition on a company's records: their company (``organisation_id``) is not hidden from ``user``.

    Written as "not one of the hidden companies", so that lists and counts of the records never
    touch the company rows (the hidden set is small and read from an index).
    """
    if not _may_read(user):
        return sa.false()
    return organisation_id.not_in(sa.select(Organisation.id).where(organisation_hidden(user)))


# --- sums -------------------------------------------------------------------------------------


def visible_totals(
    user: Any,
    organisation_id: Any,
    values: Sequence[Any],
    *,
    keys: Sequence[Any] = (),
    where: Iterable[sa.ColumnElement[bool]] = (),
) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """Additive aggregates (``count()``, ``sum(...)``) of the records ``user`` may see, per group.

    ``organisation_id`` is the records' company column (``Organisation.id`` to count the companies
    themselves), ``values`` the aggregates, ``keys`` the group-by columns and ``where`` the filters
    on the records. Computed as "everything minus the hidden companies' share" in two queries: the
    first reads only the records (a covering index), the second starts from the few hidden
    companies (a CROSS JOIN keeps SQLite from walking every record first). Records without a
    company (``organisation_id`` NULL) count as visible.

    Returns ``{key values: aggregate values}``; groups that sum to nothing are left out, so an empty
    group can't give away that hidden companies have records in it. No query for a user who may
    read nothing.
    """
    if not _may_read(user):
        return {}
    conditions = list(where)
    table = organisation_id.table
    columns = (*keys, *values)
    everything = sa.select(*columns).select_from(table).where(*conditions)
    if table is Organisation.__table__:
        hidden = sa.select(*columns).select_from(table).where(organisation_hidden(user), *conditions)
    else:
        hidden = (
            sa.select(*columns)
            .select_from(CrossJoin(Organisation.__table__, table, sa.true()))
            .where(organisation_id == Organisation.id, organisation_hidden(user), *conditions)
        )
    if keys:
        everything, hidden = everything.group_by(*keys), hidden.group_by(*keys)
    width = len(keys)
    totals: dict[tuple[Any, ...], list[int]] = {}
    for stmt, sign in ((everything, 1), (hidden, -1)):
        for row in db.session.execute(stmt):
            found = totals.setdefault(tuple(row[:width]), [0] * len(values))
            for i, amount in enumerate(row[width:]):
                found[i] += sign * int(amount or 0)
    return {key: tuple(sums) for key, sums in totals.items() if any(sums)}


def count_visible_organisations(user: Any) -> int:
    """How many active companies ``user`` may list, without walking them all.

    SQLite counts a whole table from its page counts, but must visit every entry for a WHERE;
    "all minus archived" is therefore far cheaper than "WHERE is_archived = false".
    """
    found = visible_totals(user, Organisation.id, (sa.func.count(),))
    return found.get((), (0,))[0]


# --- single companies -------------------------------------------------------------------------


def can_view_organisation(user: Any, organisation: Any) -> bool:
    """Whether ``user`` may open this organisation's page (managers: archived ones too)."""
    if not _may_read(user):
        return False
    return not organisation.is_archived or has_role(user, Role.MANAGER)


def is_hidden_from(user: Any, organisation: Any) -> bool:
    """Whether ``organisation`` is left out of ``user``'s lists and sums (``organisation_hidden``, one row).

    For records reached from a list that shows active companies only (a fee of the fee list): even
    a manager, who may open an archived company's page, does not act on them there.
    """
    return not _may_read(user) or bool(organisation.is_archived)


def in_shared_scope(organisation: Any) -> bool:
    """Whether ``organisation`` counts in the summary tables (``shared_organisation_scope``, per object)."""
    return not organisation.is_archived


def organisation_or_none(organisation_id: int, user: Any) -> Organisation | None:
    """The organisation if ``user`` may open it, else ``None`` (for pickers that explain the refusal)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_view_organisation(user, organisation):
        return None
    return organisation


def organisation_or_404(organisation_id: int, user: Any) -> Organisation:
    """The organisation if ``user`` may see it; 404 otherwise (no hint that it exists)."""
    organisation = organisation_or_none(organisation_id, user)
    if organisation is None:
        abort(404)
    return organisation
