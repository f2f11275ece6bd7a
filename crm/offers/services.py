"""Offer workflows: create, edit, move through open → sent → won / lost. Services flush and audit.

A sent offer moves its company forward to the ``offer`` stage, a won offer to ``customer`` (never
backwards: a partner stays partner; a dormant or lost company comes back). A lost offer leaves the
stage alone: the company may have other offers, and giving up on it is a separate decision.
Joint offers of a company group move every visible member company.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.activities import dates
from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import Conflict, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.offers.models import CompanyGroup, CompanyGroupMember, Offer
from crm.offers.vocab import DEFAULT_PROBABILITY, LostReason, OfferStatus
from crm.organisations.models import Organisation
from crm.organisations.services import advance_stage
from crm.organisations.vocab import Stage

FIELDS = (
    "title",
    "product",
    "value_cents",
    "probability",
    "expected_close_on",
    "status",
    "lost_reason",
    "lost_note",
    "owner_id",
    "notes",
)
# Which status an offer may move to from which (closed offers stay closed).
TRANSITIONS = {
    OfferStatus.OPEN: {OfferStatus.OPEN, OfferStatus.SENT, OfferStatus.WON, OfferStatus.LOST},
    OfferStatus.SENT: {OfferStatus.SENT, OfferStatus.WON, OfferStatus.LOST},
    OfferStatus.WON: {OfferStatus.WON},
    OfferStatus.LOST: {OfferStatus.LOST},
}
MAX_VALUE_CENTS = 100_000_000_00  # 100 million euros


def snapshot(offer: Offer) -> dict[str, Any]:
    """The editable state of an offer (for diffs and the conflict page)."""
    return {name: getattr(offer, name) for name in FIELDS}


def _clean(data: Mapping[str, Any], *, current: OfferStatus | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        values[name] = value
    values["status"] = OfferStatus(values["status"] or current or OfferStatus.OPEN)
    values["lost_reason"] = LostReason(values["lost_reason"]) if values["lost_reason"] else None
    values["value_cents"] = values["value_cents"] or 0
    values["owner_id"] = int(values["owner_id"]) if values["owner_id"] else None
    if values["status"] != OfferStatus.LOST:
        values["lost_reason"] = values["lost_note"] = None
    return values


def _validate(values: dict[str, Any], previous: OfferStatus | None) -> None:
    errors: dict[str, list[str]] = {}
    if not values.get("title"):
        errors["title"] = [_("Bitte einen Titel angeben.")]
    if values.get("expected_close_on") is None:
        errors["expected_close_on"] = [_("Bitte das erwartete Abschlussdatum angeben.")]
    if not 0 <= values["value_cents"] <= MAX_VALUE_CENTS:
        errors["value_cents"] = [_("Der Wert liegt außerhalb des zulässigen Bereichs.")]
    probability = values.get("probability")
    if probability is not None and not 0 <= probability <= 100:
        errors["probability"] = [_("Die Wahrscheinlichkeit liegt zwischen 0 und 100 %.")]
    status = values["status"]
    if previous is not None and status not in TRANSITIONS[previous]:
        errors["status"] = [_("Ein abgeschlossenes Angebot kann nicht wieder geöffnet werden.")]
    if status == OfferStatus.LOST and values["lost_reason"] is None:
        errors["lost_reason"] = [_("Bitte einen Grund für die Absage auswählen.")]
    if (
        status == OfferStatus.LOST
        and values["lost_reason"] == LostReason.OTHER
        and not values.get("lost_note")
    ):
        errors["lost_note"] = [_("Bitte den Grund kurz beschreiben.")]
    if values["owner_id"] is not None:
        owner = db.session.get(User, values["owner_id"])
        if owner is None or not owner.is_active:
            errors["owner_id"] = [_("Diese Person kann kein Angebot betreuen.")]
    if errors:
        raise ValidationFailed(errors)


def _probability(values: dict[str, Any], before: Mapping[str, Any] | None) -> int:
    """The probability to store: won 100, lost 0; else the input, or the status default.

    When the status changes and the probability was left at the old status's default, the new
    status's default applies (a sent offer is likelier than an open one).
    """
    status = values["status"]
    if status.is_closed:
        return DEFAULT_PROBABILITY[status]
    given = values.get("probability")
    if given is None:
        return DEFAULT_PROBABILITY[status]
    if (
        before is not None
        and before["status"] != status
        and given == before["probability"] == DEFAULT_PROBABILITY[before["status"]]
    ):
        return DEFAULT_PROBABILITY[status]
    return int(given)


def _check_target(organisation: Organisation | None, group: CompanyGroup | None, actor: User) -> None:
    if organisation is not None and not permissions.can_manage_offers(actor, organisation):
        raise PermissionDenied(_("Sie dürfen für dieses Unternehmen keine Angebote erfassen."))
    if organisation is not None and organisation.is_archived:
        raise ValidationFailed(_("Archivierte Unternehmen bekommen keine Angebote."))
    if group is not None and not permissions.can_manage_groups(actor):
        raise PermissionDenied(_("Sie dürfen keine gemeinsamen Angebote erfassen."))


def _after_status(offer: Offer, previous: OfferStatus | None, *, actor: User) -> None:
    """Dates and stage effects of reaching a new status."""
    status = offer.status
    if status == previous:
        return
    today = dates.local_today()
    if status == OfferStatus.SENT and offer.sent_on is None:
        offer.sent_on = today
    if status.is_closed:
        offer.closed_on = today
    target = {OfferStatus.SENT: Stage.OFFER, OfferStatus.WON: Stage.CUSTOMER}.get(status)
    if target is None:
        return
    reason = (
        _("Angebot gewonnen: %(title)s", title=offer.title)
        if status == OfferStatus.WON
        else _("Angebot versendet: %(title)s", title=offer.title)
    )
    for org in _companies(offer):
        advance_stage(org, target, actor=actor, reason=reason)


def _companies(offer: Offer) -> list[Organisation]:
    """The company of an offer, or the active member companies of a group offer."""
    if offer.organisation_id is not None:
        org = db.session.get(Organisation, offer.organisation_id)
        return [org] if org is not None and not org.is_archived else []
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(CompanyGroupMember, CompanyGroupMember.organisation_id == Organisation.id)
            .where(CompanyGroupMember.group_id == offer.group_id, Organisation.is_archived.is_(False))
            .order_by(Organisation.id)
        )
    )


def create_offer(
    data: Mapping[str, Any],
    *,
    actor: User,
    organisation: Organisation | None = None,
    group: CompanyGroup | None = None,
) -> Offer:
    """A new offer to a company or (a joint offer) to a company group."""
    if (organisation is None) == (group is None):
        raise ValueError("an offer goes to a company or to a group")
    _check_target(organisation, group, actor)
    values = _clean(data)
    _validate(values, None)
    values["probability"] = _probability(values, None)
    offer = Offer(
        organisation_id=organisation.id if organisation else None,
        group_id=group.id if group else None,
        created_by_id=actor.id,
        **values,
    )
    db.session.add(offer)
    db.session.flush()
    _after_status(offer, None, actor=actor)
    record(
        "offer_created",
        entity=offer,
        actor=actor,
        changes=diff({}, snapshot(offer)),
        details={"organisation_id": offer.organisation_id, "group_id": offer.group_id},
    )
    db.session.flush()
    return offer


def update_offer(
    offer: Offer, data: Mapping[str, Any], *, expected_version: int, actor: User
) -> dict[str, list[Any]]:
    """Edit an offer loaded at ``expected_version`` (status changes included)."""
    if not permissions.can_edit_offer(actor, offer):
        raise PermissionDenied(_("Sie dürfen dieses Angebot nicht bearbeiten."))
    if offer.version != expected_version:
        raise Conflict(_("Das Angebot wurde inzwischen von jemand anderem geändert."))
    before = snapshot(offer)
    values = _clean(data, current=offer.status)
    _validate(values, offer.status)
    values["probability"] = _probability(values, before)
    for name, value in values.items():
        setattr(offer, name, value)
    if offer.status != before["status"] and not offer.status.is_closed:
        offer.closed_on = None
    _after_status(offer, before["status"], actor=actor)
    changes = diff(before, snapshot(offer))
    if changes:
        record("offer_updated", entity=offer, actor=actor, changes=changes)
    db.session.flush()
    return changes


def change_status(
    offer: Offer,
    status: OfferStatus | str,
    *,
    actor: User,
    expected_version: int,
    lost_reason: str | None = None,
    lost_note: str | None = None,
) -> dict[str, list[Any]]:
    """Move an offer on (the quick buttons on lists and panels)."""
    data = snapshot(offer)
    data.update(status=OfferStatus(status), lost_reason=lost_reason, lost_note=lost_note, probability=None)
    if OfferStatus(status) == offer.status:
        data["probability"] = offer.probability
    return update_offer(offer, data, expected_version=expected_version, actor=actor)
