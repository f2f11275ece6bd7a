"""The acquisition board page and its stage-change action (routes on the offers blueprint)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from crm.core.errors import Conflict, DomainError
from crm.core.i18n import resolved
from crm.core.security import safe_next_url
from crm.extensions import db
from crm.offers import board as board_queries
from crm.offers.forms import MoveForm
from crm.offers.views import bp
from crm.organisations.services import active_users
from crm.organisations.visibility import organisation_or_404
from crm.organisations.vocab import STAGE_LABELS, Stage, label


@bp.get("/board")
@login_required
def board() -> str:
    """Companies by acquisition stage; a card moves with a small form or by drag and drop."""
    query = board_queries.parse_query()
    columns = board_queries.board(query, current_user)
    return render_template(
        "offers/board.html",
        columns=columns,
        movable=board_queries.movable(current_user, columns),
        stage_options=[(stage.value, text) for stage, text in resolved(STAGE_LABELS).items()],
        query=query,
        owners=active_users(),
        move_form=MoveForm(),
    )


@bp.post("/board/move")
@login_required
def move() -> Response:
    """Move one company to another stage (form post; the drag-and-drop script posts the same form)."""
    form = MoveForm()
    back = safe_next_url(form.next.data) or url_for("offers.board")
    if not form.validate_on_submit():
        flash(_("Die Phase konnte nicht geändert werden. Bitte erneut versuchen."), "danger")
        return redirect(back)
    org = organisation_or_404(int(form.organisation_id.data), current_user)
    try:
        version = int(form.version.data) if form.version.data else None
        change = board_queries.move(
            org, form.stage.data, actor=current_user, expected_version=version, reason=form.reason.data
        )
        db.session.commit()
    except (Conflict, StaleDataError) as error:
        db.session.rollback()
        flash(getattr(error, "message", None) or _("Das Unternehmen wurde inzwischen geändert."), "warning")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        if change is not None:
            flash(
                _(
                    "%(name)s ist jetzt in der Phase „%(stage)s“.",
                    name=org.name,
                    stage=label(STAGE_LABELS, Stage(form.stage.data)),
                ),
                "success",
            )
    return redirect(back if "#" in back else f"{back}#stage-{form.stage.data}")
