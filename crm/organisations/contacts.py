"""Contact-person workflows (add, edit with optimistic locking, remove)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from crm.audit.services import diff, record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import Conflict, PermissionDenied, ValidationFailed
from crm.extensions import db
from crm.organisations.dataprotection import apply_marketing_block, data_protection_errors
from crm.organisations.models import ContactPerson, Organisation
from crm.organisations.search import refresh_search_tokens
from crm.organisations.vocab import ConsentMethod, LegalBasis, Salutation
from crm.privacy.suppression import block_if_listed, suppress

CONTACT_FIELDS = (
    "salutation",
    "title",
    "first_name",
    "last_name",
    "function",
    "is_decision_maker",
    "email",
    "phone",
    "mobile",
    "notes",
    "legal_basis",
    "data_source",
    "informed_on",
    "email_consent",
    "email_consent_on",
    "email_consent_method",
    "email_consent_wording",
    "marketing_blocked",
    "marketing_blocked_on",
)
_NAME_FIELDS = {"first_name", "last_name"}
_ENUMS = {"salutation": Salutation, "legal_basis": LegalBasis, "email_consent_method": ConsentMethod}


def contact_snapshot(contact: ContactPerson) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in CONTACT_FIELDS}


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in CONTACT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip() or None
        if key in _ENUMS and value is not None:
            value = _ENUMS[key](value)
        if key in ("is_decision_maker", "email_consent", "marketing_blocked"):
            value = bool(value)
        if key == "email" and value:
            value = value.lower()
        values[key] = value
    return values


def _validate(values: Mapping[str, Any]) -> None:
    errors = data_protection_errors(values)
    if not values.get("last_name"):
        errors["last_name"] = [_("Bitte den Nachnamen angeben.")]
    if errors:
        raise ValidationFailed(errors)


def _suppress_if_blocked(contact: ContactPerson) -> None:
    """A marketing block puts the address on the block list, so it sticks even against re-import."""
    if contact.marketing_blocked and contact.email:
        suppress(contact.email, "Werbesperre bei Ansprechperson")


def create_contact(org: Organisation, data: Mapping[str, Any], *, actor: User) -> ContactPerson:
    """Add a contact person to ``org``."""
    if not permissions.can_edit_organisation(actor, org):
        raise PermissionDenied(_("Sie dürfen bei diesem Unternehmen keine Ansprechpersonen pflegen."))
    values = _clean(data)
    values.setdefault("legal_basis", LegalBasis.LEGITIMATE_INTEREST)
    block_if_listed(values)
    apply_marketing_block(values)
    _validate(values)
    contact = ContactPerson(organisation_id=org.id, **values)
    db.session.add(contact)
    db.session.flush()
    _suppress_if_blocked(contact)
    refresh_search_tokens(org)
    record("contact_created", entity=contact, actor=actor, details={"organisation_id": org.id})
    return contact


def update_contact(
    contact: ContactPerson, data: Mapping[str, Any], *, expected_version: int, actor: User
) -> dict[str, list[Any]]:
    """Edit a contact person made on version ``expected_version``."""
    org = contact.organisation
    if not permissions.can_edit_organisation(actor, org):
        raise PermissionDenied(_("Sie dürfen bei diesem Unternehmen keine Ansprechpersonen pflegen."))
    before = contact_snapshot(contact)
    values = _clean(data)
    if contact.version != expected_version:
        raise Conflict(
            _("%(name)s wurde inzwischen von jemand anderem geändert.", name=contact.full_name),
            current=before,
            submitted=values,
        )
    if values.get("email") != before["email"]:
        block_if_listed(values)
    apply_marketing_block(values, before)
    _validate({**before, **values})
    for key, value in values.items():
        setattr(contact, key, value)
    _suppress_if_blocked(contact)
    changes = diff(before, contact_snapshot(contact))
    if changes:
        if _NAME_FIELDS & changes.keys():
            refresh_search_tokens(org)
        record("contact_updated", entity=contact, actor=actor, changes=changes)
    db.session.flush()
    return changes


def remove_contact(contact: ContactPerson, *, actor: User) -> None:
    """Take a person off the company's list; logged contacts keep the link to them."""
    org = contact.organisation
    if not permissions.can_edit_organisation(actor, org):
        raise PermissionDenied(_("Sie dürfen bei diesem Unternehmen keine Ansprechpersonen pflegen."))
    contact.is_archived = True
    db.session.flush()
    refresh_search_tokens(org)
    record("contact_removed", entity=contact, actor=actor, details={"organisation_id": org.id})
