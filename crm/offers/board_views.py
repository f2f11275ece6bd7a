"""The acquisition board page and its stage-change action (routes on the offers blueprint)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm.core.i18n import resolved
from crm.core.security import safe_next_url
from crm.core.transaction import perform
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
    return perform(
        lambda: board_queries.move(
            org,
            form.stage.data,
            actor=current_user,
            expected_version=int(form.version.data) if form.version.data else None,
            reason=form.reason.data,
        ),
        success=lambda change: (
            None
            if change is None
            else _(
                "%(name)s ist jetzt in der Phase „%(stage)s“.",
                name=org.name,
                stage=label(STAGE_LABELS, Stage(form.stage.data)),
            )
        ),
        redirect_to=back if "#" in back else f"{back}#stage-{form.stage.data}",
        confirm=False,
    )
