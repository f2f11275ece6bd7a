"""Organisation workflows: create, edit with optimistic locking, stage changes, archive, restore.

Services validate business rules, change data, flush and audit — the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.organisations.duplicates import Candidate, Probe, find_duplicates
from crm.organisations.models import Organisation, StageChange
from crm.organisations.normalise import name_key, register_key, sort_key, website_domain
from crm.organisations.search import refresh_search_tokens
from crm.organisations.signals import send_results_changed, send_scope_changed
from crm.organisations.sizeclass import derive_size_class
from crm.organisations.vocab import WZ_VERSION, Chamber, SizeClass, Stage

# Fields every editor may set, in form order.
FIELDS = (
    "name",
    "legal_form",
    "street",
    "postcode",
    "city",
    "region",
    "website",
    "phone",
    "email",
    "register_number",
    "founded_on",
    "wz_section",
    "chamber",
    "employees",
    "turnover_eur",
    "balance_sheet_eur",
    "figures_year",
    "is_training_active",
    "notes",
)
# Fields only managers may change.
MANAGER_FIELDS = ("owner_id", "size_class_override", "size_class_override_reason")
STAGE_FIELDS = ("stage", "stage_reason")
_SEARCH_FIELDS = {"name", "city"}


class DuplicatesFound(DomainError):
    """The company probably exists already; the user must look at the candidates first."""

    def __init__(self, candidates: list[Candidate]) -> None:
        super().__init__(_("Dieses Unternehmen ist möglicherweise schon erfasst."))
        self.candidates = candidates


@dataclass
class EditResult:
    organisation: Organisation
    changes: dict[str, list[Any]]


def snapshot(org: Organisation) -> dict[str, Any]:
    """The editable state of ``org`` (for diffs and the conflict page)."""
    return {name: getattr(org, name) for name in (*FIELDS, *MANAGER_FIELDS, *STAGE_FIELDS)}


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Strip strings, turn empty strings into None, coerce enums."""
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = value.strip() or None
        cleaned[key] = value
    if cleaned.get("chamber") is not None:
        cleaned["chamber"] = Chamber(cleaned["chamber"])
    if cleaned.get("size_class_override") is not None:
        cleaned["size_class_override"] = SizeClass(cleaned["size_class_override"])
    if cleaned.get("stage") is not None:
        cleaned["stage"] = Stage(cleaned["stage"])
    if "is_training_active" in cleaned:
        cleaned["is_training_active"] = bool(cleaned["is_training_active"])
    if cleaned.get("wz_section"):
        cleaned["wz_section"] = str(cleaned["wz_section"]).upper()
    return cleaned


def _validate(values: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not values.get("name"):
        errors["name"] = [_("Bitte den Namen des Unternehmens angeben.")]
    founded = values.get("founded_on")
    if founded and founded > date.today():
        errors["founded_on"] = [_("Das Gründungsdatum liegt in der Zukunft.")]
    if values.get("size_class_override") and not values.get("size_class_override_reason"):
        errors["size_class_override_reason"] = [_("Bitte begründen Sie die abweichende Größenklasse.")]
    if values.get("stage") in (Stage.LOST, Stage.DORMANT) and not values.get("stage_reason"):
        errors["stage_reason"] = [_("Bitte einen Grund für „verloren“ bzw. „ruhend“ angeben.")]
    if errors:
        raise ValidationFailed(errors)


def _apply_derived(org: Organisation) -> None:
    """Recompute search/sort keys and the size class from the stored facts."""
    org.name_sort = sort_key(org.name)
    org.name_key = name_key(org.name)
    org.website_domain = website_domain(org.website)
    org.register_key = register_key(org.register_number)
    org.wz_version = WZ_VERSION if org.wz_section else None
    derived, provisional = derive_size_class(org.employees, org.turnover_eur, org.balance_sheet_eur)
    if org.size_class_override is not None:
        org.size_class, org.size_class_provisional = org.size_class_override, False
    else:
        org.size_class, org.size_class_provisional = derived, provisional


def derived_size_class(org: Organisation) -> tuple[SizeClass | None, bool]:
    """The class the figures give, whatever an override says."""
    return derive_size_class(org.employees, org.turnover_eur, org.balance_sheet_eur)


def _check_manager_fields(values: Mapping[str, Any], actor: User, current: Mapping[str, Any]) -> None:
    for name in MANAGER_FIELDS:
        if name in values and values[name] != current.get(name):
            if name == "owner_id" and not permissions.can_reassign_owner(actor):
                raise PermissionDenied(_("Nur die Leitung kann Betreuer/innen zuweisen."))
            if name != "owner_id" and not permissions.can_override_size_class(actor):
                raise PermissionDenied(_("Nur die Leitung kann die Größenklasse festlegen."))
    owner_id = values.get("owner_id")
    if owner_id is not None and owner_id != current.get("owner_id"):
        owner = db.session.get(User, owner_id)
        if owner is None or not owner.is_active:
            raise ValidationFailed({"owner_id": [_("Diese Person kann nicht Betreuer/in werden.")]})


def create_organisation(
    data: Mapping[str, Any], *, actor: User, confirmed_duplicates: bool = False
) -> Organisation:
    """Create a company; raises ``DuplicatesFound`` unless the user confirmed the candidates."""
    values = _clean(data)
    values.setdefault("stage", Stage.LEAD)
    _validate(values)
    if "owner_id" not in values or not permissions.can_reassign_owner(actor):
        values.pop("owner_id", None)
        values["owner_id"] = actor.id  # staff own what they create
    _check_manager_fields(values, actor, {"owner_id": values["owner_id"]})
    if not confirmed_duplicates:
        candidates = find_duplicates(_probe(values), user=actor)
        if candidates:
            raise DuplicatesFound(candidates)
    stage = values.pop("stage")
    stage_reason = values.pop("stage_reason", None)
    org = Organisation(**{k: v for k, v in values.items() if k in (*FIELDS, *MANAGER_FIELDS)})
    org.stage, org.stage_reason = stage, stage_reason
    org.stage_changed_at = utcnow()
    if stage in (Stage.CUSTOMER, Stage.PARTNER):
        org.won_at = org.stage_changed_at
    org.created_by_id = actor.id
    _apply_derived(org)
    db.session.add(org)
    db.session.flush()
    db.session.add(
        StageChange(organisation_id=org.id, from_stage=None, to_stage=stage, changed_by_id=actor.id)
    )
    refresh_search_tokens(org)
    record("organisation_created", entity=org, actor=actor, details={"name": org.name})
    return org


def _probe(values: Mapping[str, Any]) -> Probe:
    return Probe(
        name=values.get("name") or "",
        postcode=values.get("postcode"),
        city=values.get("city"),
        website=values.get("website"),
        register_number=values.get("register_number"),
    )


def update_organisation(
    org: Organisation, data: Mapping[str, Any], *, expected_version: int, actor: User
) -> EditResult:
    """Apply an edit made on version ``expected_version``; a newer version raises ``Conflict``."""
    if not permissions.can_edit_organisation(actor, org):
        raise PermissionDenied(_("Sie dürfen dieses Unternehmen nicht bearbeiten."))
    values = _clean(data)
    before = snapshot(org)
    if org.version != expected_version:
        raise Conflict(
            _("%(name)s wurde inzwischen von jemand anderem geändert.", name=org.name),
            current=before,
            submitted=values,
        )
    _check_manager_fields(values, actor, before)
    merged = {**before, **values}
    _validate(merged)
    new_stage = values.pop("stage", None)
    stage_reason = values.pop("stage_reason", before["stage_reason"])
    for name in (*FIELDS, *MANAGER_FIELDS):
        if name in values:
            setattr(org, name, values[name])
    if org.size_class_override is None:
        org.size_class_override_reason = None
    _apply_derived(org)
    if new_stage is not None and new_stage != org.stage:
        change_stage(org, new_stage, actor=actor, reason=stage_reason)
    else:
        org.stage_reason = stage_reason
    changes = diff(before, snapshot(org))
    if changes:
        if _SEARCH_FIELDS & changes.keys():
            refresh_search_tokens(org)
        record("organisation_updated", entity=org, actor=actor, changes=changes)
    db.session.flush()
    return EditResult(org, changes)


def change_stage(
    org: Organisation, stage: Stage, *, actor: User | None, reason: str | None = None, automatic: bool = False
) -> StageChange | None:
    """Move ``org`` to ``stage`` and record the move (shown in the timeline)."""
    stage = Stage(stage)
    if stage == org.stage:
        return None
    change = StageChange(
        organisation_id=org.id,
        from_stage=org.stage,
        to_stage=stage,
        changed_by_id=actor.id if actor else None,
        is_automatic=automatic,
        reason=reason,
        changed_at=utcnow(),
    )
    db.session.add(change)
    org.stage, org.stage_reason, org.stage_changed_at = stage, reason, change.changed_at
    if stage in (Stage.CUSTOMER, Stage.PARTNER) and org.won_at is None:
        org.won_at = change.changed_at
        db.session.flush()
        send_results_changed([org.id])
    return change


def advance_stage(
    org: Organisation,
    stage: Stage,
    *,
    actor: User | None,
    reason: str | None = None,
    reopen: bool = False,
) -> bool:
    """Move ``org`` forward to ``stage`` unless it is there or further already (automatic).

    Automatic moves stay inside the funnel: a company a person set aside as dormant or lost
    (with a reason) is not pulled back by a logged call or a needs analysis; it stays where it
    is until someone moves it. ``reopen=True`` is for events that prove the relationship is
    alive again whatever anyone noted before, such as a membership starting.
    """
    if org.stage in (Stage.DORMANT, Stage.LOST) and not reopen:
        return False
    if org.stage.rank >= Stage(stage).rank:
        return False
    change_stage(org, stage, actor=actor, reason=reason, automatic=True)
    return True


def archive_organisation(org: Organisation, *, actor: User) -> None:
    """Hide a company from lists, search, exports, duplicate checks and figures."""
    if not permissions.can_archive_organisation(actor, org):
        raise PermissionDenied(_("Sie dürfen dieses Unternehmen nicht archivieren."))
    org.is_archived, org.archived_at = True, utcnow()
    db.session.flush()
    send_scope_changed([org.id], entering=False)
    send_results_changed([org.id])
    record("organisation_archived", entity=org, actor=actor)


def restore_organisation(org: Organisation, *, actor: User) -> None:
    """Bring an archived company back."""
    if not permissions.can_restore_organisation(actor, org):
        raise PermissionDenied(_("Sie dürfen dieses Unternehmen nicht wiederherstellen."))
    org.is_archived, org.archived_at = False, None
    db.session.flush()
    send_scope_changed([org.id], entering=True)
    send_results_changed([org.id])
    record("organisation_restored", entity=org, actor=actor)


def active_users() -> list[User]:
    """Users who can own companies, by name."""
    return list(db.session.scalars(sa.select(User).where(User.is_active.is_(True)).order_by(User.name)))
