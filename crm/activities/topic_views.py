"""The topic checklist of needs analyses, kept by admins at /admin/needs-topics/."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from crm.activities import needs
from crm.activities.forms import NeedsTopicForm
from crm.activities.models import NeedsTopic
from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.forms import ConfirmForm
from crm.core.transaction import perform, submit
from crm.extensions import db

bp = Blueprint("needs_topics", __name__, url_prefix="/admin/needs-topics")


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> str:
    """The checklist: add, rename, reorder, switch topics on and off."""
    return render_template(
        "activities/needs_topics.html",
        topics=needs.all_topics(),
        form=NeedsTopicForm(),
        confirm_form=ConfirmForm(),
    )


@bp.post("/new")
@role_required(Role.ADMIN)
def create() -> Any:
    """Add a topic."""
    form = NeedsTopicForm()
    done = submit(
        form,
        lambda: needs.create_topic(form.name.data or "", actor=current_user),
        success=lambda topic: _("Thema „%(name)s“ angelegt.", name=topic.name),
        redirect_to=url_for("needs_topics.index"),
    )
    if done is not None:
        return done
    page = render_template(
        "activities/needs_topics.html", topics=needs.all_topics(), form=form, confirm_form=ConfirmForm()
    )
    return page, 400


@bp.post("/<int:topic_id>/edit")
@role_required(Role.ADMIN)
def edit(topic_id: int) -> Response:
    """Rename or move a topic."""
    topic = db.get_or_404(NeedsTopic, topic_id)
    form = NeedsTopicForm()
    if not form.validate_on_submit():
        flash(_("Bitte einen Namen angeben."), "danger")
        return redirect(url_for("needs_topics.index"))
    return perform(
        lambda: needs.update_topic(
            topic, {"name": form.name.data, "position": form.position.data}, actor=current_user
        ),
        success=_("Gespeichert."),
        redirect_to=url_for("needs_topics.index"),
        confirm=False,
    )


@bp.post("/<int:topic_id>/<any(activate, deactivate):action>")
@role_required(Role.ADMIN)
def toggle(topic_id: int, action: str) -> Response:
    """Offer a topic again, or stop offering it (past analyses keep it)."""
    topic = db.get_or_404(NeedsTopic, topic_id)
    return perform(
        lambda: needs.set_topic_active(topic, action == "activate", actor=current_user),
        success=None,
        redirect_to=url_for("needs_topics.index"),
    )
