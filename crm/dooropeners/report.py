"""Report back to a door-opener: what came of its introductions in a period (HTML and XLSX)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from crm.audit.services import record
from crm.auth.models import Role
from crm.auth.permissions import role_required
from crm.core.db import writes_on_get
from crm.core.export import Column, python_rows, xlsx_response
from crm.core.i18n import resolved
from crm.core.transaction import unit_of_work
from crm.dooropeners.models import DoorOpener, Introduction
from crm.dooropeners.registries import NAMING_RULES
from crm.dooropeners.views import _door_opener_or_404, bp
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.visibility import organisation_visibility
from crm.organisations.vocab import FUNNEL, STAGE_LABELS, Stage


@dataclass
class Report:
    door_opener: DoorOpener
    since: date
    until: date
    introductions: int = 0
    companies: int = 0
    by_stage: dict[Stage, int] = field(default_factory=dict)
    converted: int = 0
    named: list[Any] = field(default_factory=list)  # rows of companies that may be named
    unnamed: int = 0


def _period() -> tuple[date, date]:
    today = date.today()
    try:
        since = date.fromisoformat(request.args.get("since") or f"{today.year}-01-01")
        until = date.fromisoformat(request.args.get("until") or today.isoformat())
    except ValueError:
        raise BadRequest(_("Bitte Datumsangaben im Format JJJJ-MM-TT.")) from None
    if since > until:
        raise BadRequest(_("Der Beginn des Zeitraums liegt nach seinem Ende."))
    return since, until


def build_report(door_opener: DoorOpener, since: date, until: date, user: Any) -> Report:
    """The figures of the report; companies are named only with consent or by a naming rule."""
    report = Report(door_opener, since, until)
    rows = db.session.execute(
        sa.select(
            Introduction.may_be_named,
            Introduction.introduced_on,
            Organisation.id,
            Organisation.name,
            Organisation.city,
            Organisation.stage,
            Organisation.won_at,
        )
        .join(Organisation, Organisation.id == Introduction.organisation_id)
        .where(
            Introduction.door_opener_id == door_opener.id,
            Introduction.introduced_on.between(since, until),
            organisation_visibility(user),
        )
        .order_by(Organisation.name_sort)
    ).all()
    report.introductions = len(rows)
    org_ids = sorted({row.id for row in rows})
    report.companies = len(org_ids)
    allowed: set[int] = {row.id for row in rows if row.may_be_named}
    if current_app.config.get("REPORT_NAME_MEMBERS", True):
        for rule in NAMING_RULES.of():
            allowed |= rule(org_ids)
    seen: set[int] = set()
    for row in rows:
        if row.id in seen:
            continue
        seen.add(row.id)
        report.by_stage[row.stage] = report.by_stage.get(row.stage, 0) + 1
        report.converted += row.won_at is not None
        if row.id in allowed:
            report.named.append(row)
    report.unnamed = report.companies - len(report.named)
    return report


@bp.get("/door-openers/<int:door_opener_id>/report")
@role_required(Role.MANAGER)
def report(door_opener_id: int) -> str:
    """Print-friendly one-page summary for the door-opener."""
    door_opener = _door_opener_or_404(door_opener_id)
    since, until = _period()
    data = build_report(door_opener, since, until, current_user)
    return render_template(
        "dooropeners/report.html", report=data, stages=[*FUNNEL, Stage.DORMANT, Stage.LOST]
    )


@bp.get("/door-openers/<int:door_opener_id>/report.xlsx")
@writes_on_get
@role_required(Role.MANAGER)
def report_xlsx(door_opener_id: int) -> Response:
    """The same report as a spreadsheet."""
    door_opener = _door_opener_or_404(door_opener_id)
    since, until = _period()
    data = build_report(door_opener, since, until, current_user)
    labels = resolved(STAGE_LABELS)
    columns = [
        Column(_("Unternehmen"), None, width=40),
        Column(_("Ort"), None, width=20),
        Column(_("Vermittelt am"), None, "date", 14),
        Column(_("Heutige Phase"), None, width=18),
    ]
    rows = [(row.name, row.city, row.introduced_on, labels.get(row.stage, "")) for row in data.named]
    summary = [
        (_("Zeitraum"), f"{since:%d.%m.%Y} – {until:%d.%m.%Y}", None, None),
        (_("Vermittlungen"), str(data.introductions), None, None),
        (_("Vermittelte Unternehmen"), str(data.companies), None, None),
        (_("davon Kunde oder Partner geworden"), str(data.converted), None, None),
        (_("nicht namentlich genannt (ohne Zustimmung)"), str(data.unnamed), None, None),
        ("", "", None, None),
    ]
    with unit_of_work():
        record(
            "export",
            entity=door_opener,
            actor=current_user,
            details={"format": "xlsx", "report": True, "since": since, "until": until, "rows": len(rows)},
        )
    filename = f"bericht-tueroeffner-{door_opener.id}-{since:%Y%m%d}-{until:%Y%m%d}.xlsx"
    return xlsx_response(
        filename, columns, python_rows(columns, [*summary, *rows]), sheet=door_opener.institution
    )
