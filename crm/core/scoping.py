"""The one place that decides which records a user may read.

Every read path — lists, search, exports, dashboards, feeds, duplicate checks — builds on these
helpers, so that archived or forbidden records cannot leak through a side door.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort

from crm.auth.models import Role
from crm.auth.permissions import has_role
from crm.extensions import db


def organisation_visibility(user: Any, *, archived: bool = False) -> sa.ColumnElement[bool]:
    """Condition on ``Organisation`` for what ``user`` may list.

    Everybody sees the active companies; only managers may look at the archived ones.
    """
    from crm.organisations.models import Organisation

    if not (user and user.is_authenticated and user.is_active):
        return sa.false()
    if archived:
        return Organisation.is_archived.is_(True) if has_role(user, Role.MANAGER) else sa.false()
    return Organisation.is_archived.is_(False)


def shared_organisation_scope() -> sa.ColumnElement[bool]:
    """The companies every user may see: the scope that summary tables are computed over.

    If visibility ever starts to differ between users, the summaries must be split by it.
    """
    from crm.organisations.models import Organisation

    return Organisation.is_archived.is_(False)


def visible_organisations(user: Any, *, archived: bool = False) -> sa.Select[Any]:
    """``SELECT organisations`` restricted to what ``user`` may list."""
    from crm.organisations.models import Organisation

    return sa.select(Organisation).where(organisation_visibility(user, archived=archived))


def can_view_organisation(user: Any, organisation: Any) -> bool:
    """Whether ``user`` may open this organisation's page."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return not organisation.is_archived or has_role(user, Role.MANAGER)


def organisation_or_404(organisation_id: int, user: Any) -> Any:
    """The organisation if ``user`` may see it; 404 otherwise (no hint that it exists)."""
    from crm.organisations.models import Organisation

    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_view_organisation(user, organisation):
        abort(404)
    return organisation


def count_visible_organisations(user: Any) -> int:
    """How many active companies ``user`` may list, without walking them all.

    SQLite counts a whole table from its page counts, but must visit every entry for a WHERE;
    "all minus archived" is therefore far cheaper than "WHERE is_archived = false".
    """
    from crm.organisations.models import Organisation

    if not (user and user.is_authenticated and user.is_active):
        return 0
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) or 0
    archived = db.session.scalar(
        sa.select(sa.func.count()).select_from(Organisation).where(Organisation.is_archived.is_(True))
    )
    return total - (archived or 0)


def organisation_hidden(user: Any) -> sa.ColumnElement[bool]:
    """Condition on ``Organisation`` for what ``user`` may *not* list (the complement of the active list).

    Counting "all minus hidden" reads only a covering index and the few hidden companies, where
    "join every row to its company" would visit thousands of company rows.
    """
    from crm.organisations.models import Organisation

    if not (user and user.is_authenticated and user.is_active):
        return sa.true()
    return Organisation.is_archived.is_(True)
