"""Needs analyses of a company (routes on the activities blueprint)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.activities import dates, needs
from crm.activities.forms import NeedsAnalysisForm
from crm.activities.views import bp
from crm.activities.vocab import funding_share
from crm.auth import permissions
from crm.core.forms import choices
from crm.core.transaction import submit
from crm.organisations.services import active_users
from crm.organisations.visibility import organisation_or_404


@bp.route("/organisations/<int:org_id>/needs-analyses/new", methods=["GET", "POST"])
@login_required
def needs_new(org_id: int) -> Any:
    """Record a needs analysis; shows the §82 SGB III funding hint from the headcount."""
    org = organisation_or_404(org_id, current_user)
    permissions.require(permissions.can_record_needs_analysis(current_user, org))
    form = NeedsAnalysisForm()
    form.topic_ids.choices = choices((t.id, t.name) for t in needs.active_topics())
    form.conducted_by_id.choices = choices((u.id, u.name) for u in active_users())
    if request.method == "GET":
        form.conducted_on.data = dates.local_today()
        form.conducted_by_id.data = current_user.id
    done = submit(
        form,
        lambda: needs.record_needs_analysis(org, form.data, actor=current_user),
        success=_("Bedarfsanalyse für %(name)s gespeichert.", name=org.name),
        redirect_to=url_for("organisations.detail", org_id=org.id) + "#timeline",
    )
    return done or render_template(
        "activities/needs_form.html", form=form, org=org, share=funding_share(org.employees)
    )
