"""Needs analyses (Bedarfsanalysen) and the admin-managed topic checklist."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.activities import dates
from crm.activities.models import NeedsAnalysis, NeedsTopic
from crm.activities.vocab import TrainingFormat
from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import DomainError, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.organisations.models import Organisation
from crm.organisations.services import advance_stage
from crm.organisations.vocab import Stage

MAX_YEARS_BACK = 10


def active_topics() -> list[NeedsTopic]:
    """The checklist offered in the form."""
    return list(
        db.session.scalars(
            sa.select(NeedsTopic)
            .where(NeedsTopic.is_active.is_(True))
            .order_by(NeedsTopic.position, NeedsTopic.name)
        )
    )


def all_topics() -> list[NeedsTopic]:
    return list(db.session.scalars(sa.select(NeedsTopic).order_by(NeedsTopic.position, NeedsTopic.name)))


def _cents(euros: Decimal | int | None) -> int | None:
    return None if euros is None else int(euros) * 100


def record_needs_analysis(org: Organisation, data: Mapping[str, Any], *, actor: User) -> NeedsAnalysis:
    """Record a needs analysis; a company at ``lead`` or ``contacted`` moves to ``needs_analysis``."""
    if org.is_archived:
        raise ValidationFailed(_("%(name)s ist archiviert.", name=org.name))
    if not permissions.can_record_needs_analysis(actor, org):
        raise PermissionDenied(_("Sie dürfen keine Bedarfsanalysen erfassen."))
    errors: dict[str, list[str]] = {}
    conducted_on = data.get("conducted_on") or dates.local_today()
    today = dates.local_today()
    if conducted_on > today:
        errors["conducted_on"] = [_("Das Datum liegt in der Zukunft.")]
    elif conducted_on < today - timedelta(days=365 * MAX_YEARS_BACK):
        errors["conducted_on"] = [_("Das Datum liegt mehr als %(n)s Jahre zurück.", n=MAX_YEARS_BACK)]
    budget_from, budget_to = _cents(data.get("budget_from")), _cents(data.get("budget_to"))
    if budget_from is not None and budget_to is not None and budget_from > budget_to:
        errors["budget_to"] = [_("Die Obergrenze des Budgets liegt unter der Untergrenze.")]
    topic_ids = {int(i) for i in data.get("topic_ids") or []}
    topics = (
        list(db.session.scalars(sa.select(NeedsTopic).where(NeedsTopic.id.in_(topic_ids))))
        if topic_ids
        else []
    )
    if len(topics) != len(topic_ids) or any(not t.is_active for t in topics):
        errors["topic_ids"] = [_("Bitte nur Themen aus der Liste wählen.")]
    conducted_by_id = data.get("conducted_by_id") or actor.id
    conductor = db.session.get(User, conducted_by_id)
    if conductor is None or not conductor.is_active:
        errors["conducted_by_id"] = [_("Diese Person kann nicht ausgewählt werden.")]
    if errors:
        raise ValidationFailed(errors)

    formats = set(data.get("formats") or [])
    analysis = NeedsAnalysis(
        organisation_id=org.id,
        conducted_on=conducted_on,
        conducted_by_id=conducted_by_id,
        other_topics=(data.get("other_topics") or "").strip() or None,
        employees_to_train=data.get("employees_to_train"),
        budget_from_cents=budget_from,
        budget_to_cents=budget_to,
        notes=(data.get("notes") or "").strip() or None,
        created_by_id=actor.id,
        **{f"format_{f.value}": f.value in formats for f in TrainingFormat},
    )
    analysis.topics = sorted(topics, key=lambda t: (t.position, t.name))
    db.session.add(analysis)
    db.session.flush()
    if org.stage in (Stage.LEAD, Stage.CONTACTED):
        advance_stage(org, Stage.NEEDS_ANALYSIS, actor=actor, reason=_("Bedarfsanalyse erfasst"))
    record(
        "needs_analysis_created",
        entity=analysis,
        actor=actor,
        details={"organisation_id": org.id, "topics": [t.name for t in analysis.topics]},
    )
    db.session.flush()
    return analysis


# --- the topic checklist (admins) ------------------------------------------------------------


def _require_admin(actor: User) -> None:
    if not permissions.can_manage_needs_topics(actor):
        raise PermissionDenied(_("Nur die Administration pflegt die Themenliste."))


def _name_taken(name: str, *, except_id: int | None = None) -> bool:
    stmt = sa.select(NeedsTopic.id).where(sa.func.lower(NeedsTopic.name) == name.lower())
    if except_id is not None:
        stmt = stmt.where(NeedsTopic.id != except_id)
    return db.session.scalar(stmt) is not None


def create_topic(name: str, *, actor: User) -> NeedsTopic:
    """Add a topic to the end of the checklist."""
    _require_admin(actor)
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": [_("Bitte einen Namen angeben.")]})
    if _name_taken(name):
        raise ValidationFailed({"name": [_("Dieses Thema gibt es schon.")]})
    position = (db.session.scalar(sa.select(sa.func.max(NeedsTopic.position))) or 0) + 10
    topic = NeedsTopic(name=name, position=position, is_active=True)
    db.session.add(topic)
    db.session.flush()
    record("needs_topic_created", entity=topic, actor=actor, details={"name": name})
    return topic


def update_topic(topic: NeedsTopic, data: Mapping[str, Any], *, actor: User) -> None:
    """Rename, reorder or (de)activate a topic; past analyses keep their topics."""
    _require_admin(actor)
    before = {"name": topic.name, "position": topic.position, "is_active": topic.is_active}
    name = (data.get("name") or topic.name).strip()
    if not name:
        raise ValidationFailed({"name": [_("Bitte einen Namen angeben.")]})
    if _name_taken(name, except_id=topic.id):
        raise ValidationFailed({"name": [_("Dieses Thema gibt es schon.")]})
    topic.name = name
    if data.get("position") is not None:
        topic.position = int(data["position"])
    if data.get("is_active") is not None:
        topic.is_active = bool(data["is_active"])
    changes = diff(before, {"name": topic.name, "position": topic.position, "is_active": topic.is_active})
    if changes:
        record("needs_topic_updated", entity=topic, actor=actor, changes=changes)
    db.session.flush()


def set_topic_active(topic: NeedsTopic, active: bool, *, actor: User) -> None:
    if topic.is_active == active:
        raise DomainError(_("Keine Änderung."))
    update_topic(topic, {"is_active": active}, actor=actor)
