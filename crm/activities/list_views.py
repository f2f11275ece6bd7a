"""``/activities/``: logged contacts of visible companies, filtered by person, kind and Berlin dates.

The dashboard's contact figures link here; the company filters are the company list's own
(``owner``, ``region``, ``door_opener_kind`` …), so figure and list count the same contacts.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest

from crm.activities.dates import start_of_local_day as local_midnight
from crm.activities.models import Activity
from crm.activities.views import bp
from crm.activities.vocab import ActivityKind
from crm.auth.models import User
from crm.core.pagination import page_args, paginate
from crm.core.params import date_arg, multi_choice_arg
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.queries import apply_filters, parse_list_query
from crm.organisations.services import active_users
from crm.organisations.visibility import organisation_visibility


def _person() -> str | None:
    raw = request.args.get("user", "")
    if raw and raw not in ("me", "none") and not raw.isdigit():
        raise BadRequest(_("Unbekannter Wert %(value)r für %(name)s.", value=raw[:50], name="user"))
    return raw or None


def filtered(*columns: Any) -> tuple[sa.Select[Any], dict[str, Any]]:
    """The filtered statement and the parsed filters (for the page)."""
    person = _person()
    kinds = multi_choice_arg("kind", [k.value for k in ActivityKind])
    start, end = date_arg("from"), date_arg("to")
    if start and end and end < start:
        raise BadRequest(_("Das Enddatum liegt vor dem Anfangsdatum."))
    companies = parse_list_query(current_user)
    stmt = (
        sa.select(*columns)
        .select_from(Activity)
        .join(Organisation, Organisation.id == Activity.organisation_id)
        .where(organisation_visibility(current_user, archived=companies.archived))
    )
    if person == "me":
        stmt = stmt.where(Activity.user_id == current_user.id)
    elif person == "none":
        stmt = stmt.where(Activity.user_id.is_(None))
    elif person:
        stmt = stmt.where(Activity.user_id == int(person))
    if kinds:
        stmt = stmt.where(Activity.kind.in_([ActivityKind(k) for k in kinds]))
    if start:
        stmt = stmt.where(Activity.occurred_at >= local_midnight(start))
    if end:
        stmt = stmt.where(Activity.occurred_at < local_midnight(end + timedelta(days=1)))
    stmt = apply_filters(stmt, companies, current_user)
    return stmt, {"user": person, "kinds": kinds, "start": start, "end": end, "companies": companies}


@bp.get("/activities/")
@login_required
def index() -> str:
    """Contacts, newest first, with the filters in the query string."""
    stmt, chosen = filtered(
        Activity.id,
        Activity.kind,
        Activity.occurred_at,
        Activity.subject,
        Activity.organisation_id,
        Organisation.name.label("organisation_name"),
        User.name.label("user_name"),
    )
    count_stmt, _chosen = filtered(sa.func.count())
    total = db.session.scalar(count_stmt) or 0
    page_number, per_page = page_args()
    page = paginate(
        stmt.outerjoin(User, User.id == Activity.user_id).order_by(
            Activity.occurred_at.desc(), Activity.id.desc()
        ),
        page=page_number,
        per_page=per_page,
        scalars=False,
        total=total,
    )
    return render_template("activities/list.html", page=page, chosen=chosen, users=active_users())
