"""Erasure (Art. 17 GDPR) of a contact person, a door-opener person or a sole trader.

Irreversible, with a reason and the acting user's password. The person's own record keeps only
its links ("Anonymisierte Person"); the person's name, e-mail and phone numbers are replaced in
every text column of the database (``crm/privacy/scrub.py``), including the values of old audit
entries — the entries themselves, their action, time and actor stay. Accounting records under a
retention duty are kept unchanged but put on hold (``crm/privacy/retention.py``). A marketing block
survives as a hash on the block list. The new audit entry names the record by id only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from crm.activities.models import activity_participants
from crm.audit.guard import audit_maintenance
from crm.audit.models import AuditEntry
from crm.audit.services import record
from crm.auth import permissions
from crm.auth.passwords import verify_password
from crm.core.db import utcnow
from crm.core.errors import DomainError, PermissionDenied, ValidationFailed
from crm.dooropeners.models import DoorOpener
from crm.extensions import db
from crm.memberships.models import Membership
from crm.organisations.models import ContactPerson, Organisation
from crm.organisations.normalise import name_key, sort_key
from crm.organisations.search import refresh_search_tokens
from crm.organisations.signals import send_results_changed
from crm.privacy import retention
from crm.privacy.scrub import REPLACEMENT, Needles, phone_variants, scrub
from crm.privacy.suppression import suppress

ANONYMOUS_PERSON = "Anonymisierte Person"
ANONYMOUS_COMPANY = "Anonymisiertes Unternehmen"
_SOLE_TRADER_SUFFIX = re.compile(r"[\s,]+(e\.\s*K(fm|fr)?\.?|Inh(\.|aber(in)?)\b.*)$", re.IGNORECASE)


@dataclass
class ErasureResult:
    """What an erasure changed (counts only, no personal data)."""

    anonymised: dict[str, int] = field(default_factory=dict)
    holds: list[retention.RetentionHold] = field(default_factory=list)
    audit_redacted: int = 0

    def details(self, reason: str) -> dict[str, Any]:
        return {
            "reason": reason,
            "rows_anonymised": self.anonymised,
            "audit_entries_redacted": self.audit_redacted,
            "kept_for_retention": [
                {"type": h.entity_type, "id": h.entity_id, "until": h.keep_until.isoformat()}
                for h in self.holds
            ],
        }


def check_confirmation(actor: Any, reason: str | None, password: str | None) -> str:
    """The reason (required) and the actor's password; nothing happens unless both are right."""
    if not permissions.can_handle_data_requests(actor):
        raise PermissionDenied(_("Nur die Leitung darf personenbezogene Daten löschen."))
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if len(reason) < 5:
        errors["reason"] = [_("Bitte den Grund der Löschung angeben (mindestens 5 Zeichen).")]
    if not password or not verify_password(actor.password_hash, password):
        errors["password"] = [_("Das Passwort ist nicht richtig. Es wurde nichts gelöscht.")]
    if errors:
        raise ValidationFailed(errors)
    return reason


def person_needles(person: ContactPerson | DoorOpener, needles: Needles | None = None) -> Needles:
    """How the person shows up in free text."""
    needles = needles or Needles()
    first, last = person.first_name, person.last_name
    if last and last != ANONYMOUS_PERSON:
        if first:
            needles.add(f"{first} {last}", f"{last}, {first}", f"{last} {first}")
            needles.exact.extend([first, last])
        for prefix in ("Frau", "Herr", "Fr.", "Hr.", person.title):
            if prefix:
                needles.add(f"{prefix} {last}")
        needles.add(last, weak=True)
    needles.add(person.email, *phone_variants(person.phone), *phone_variants(person.mobile))
    return needles


def _anonymise_row(obj: Any, placeholder: str) -> None:
    """Clear every column of ``obj`` marked personal; a required name gets the placeholder."""
    for column in obj.__table__.columns:
        if not column.info.get("personal"):
            continue
        if column.key == "last_name" or (column.key == "name" and not column.nullable):
            setattr(obj, column.key, placeholder)
        elif column.nullable:
            setattr(obj, column.key, None)
        elif isinstance(column.type, sa.Boolean) and column.key == "email_consent":
            setattr(obj, column.key, False)
    obj.erased_at = utcnow()


def _redacted(value: Any) -> Any:
    """Texts become the marker; flags and empty values stay (an objection remains provable)."""
    return REPLACEMENT if isinstance(value, str) and value else value


def _redact_own_audit(entity_type: str, entity_ids: list[int]) -> int:
    """Old entries about the erased records: personal fields' values become the marker."""
    if not entity_ids:
        return 0
    table = db.metadata.tables[entity_type]
    personal = {c.key for c in table.columns if c.info.get("personal")} | {"name"}
    count = 0
    entries = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.changes, AuditEntry.details).where(
            AuditEntry.entity_type == entity_type, AuditEntry.entity_id.in_(entity_ids)
        )
    ).all()
    for entry_id, changes, details in entries:
        new_changes = (
            {k: ([_redacted(v) for v in pair] if k in personal else pair) for k, pair in changes.items()}
            if changes
            else changes
        )
        new_details = (
            {k: (_redacted(v) if k in personal else v) for k, v in details.items()} if details else details
        )
        if new_changes != changes or new_details != details:
            with audit_maintenance("erasure"):
                db.session.execute(
                    sa.update(AuditEntry)
                    .where(AuditEntry.id == entry_id)
                    .values(changes=new_changes, details=new_details),
                    execution_options={"synchronize_session": False},
                )
            count += 1
    return count


def _erase(
    needles: Needles,
    *,
    holds: dict[tuple[str, int], date],
    erased: Any,
    persons: list[ContactPerson | DoorOpener],
    actor: Any,
) -> ErasureResult:
    """Shared steps: keep block-list entries, put holds, anonymise own rows, scrub everywhere."""
    result = ErasureResult()
    for person in persons:
        if person.marketing_blocked and person.email:
            suppress(person.email, "Werbesperre (Person gelöscht)")
    result.holds = retention.put_holds(
        holds, erased_type=erased.__tablename__, erased_id=erased.id, actor=actor
    )
    contact_ids = [p.id for p in persons if isinstance(p, ContactPerson)]
    door_opener_ids = [p.id for p in persons if isinstance(p, DoorOpener)]
    always: dict[str, sa.ColumnElement[bool]] = {}
    if contact_ids:
        always["activities"] = db.metadata.tables["activities"].c.id.in_(
            sa.select(activity_participants.c.activity_id).where(
                activity_participants.c.contact_person_id.in_(contact_ids)
            )
        )
    own_audit = [
        sa.and_(AuditEntry.entity_type == "contact_persons", AuditEntry.entity_id.in_(contact_ids)),
        sa.and_(AuditEntry.entity_type == "door_openers", AuditEntry.entity_id.in_(door_opener_ids)),
    ]
    if isinstance(erased, Organisation):
        own_audit.append(
            sa.and_(AuditEntry.entity_type == "organisations", AuditEntry.entity_id == erased.id)
        )
    always["audit_entries"] = db.metadata.tables["audit_entries"].c.id.in_(
        sa.select(AuditEntry.id).where(sa.or_(*own_audit))
    )
    for person in persons:
        _anonymise_row(person, ANONYMOUS_PERSON)
        person.is_archived = True
        if isinstance(person, DoorOpener) and person.archived_at is None:
            person.archived_at = utcnow()
    db.session.flush()
    result.audit_redacted = _redact_own_audit("contact_persons", contact_ids) + _redact_own_audit(
        "door_openers", door_opener_ids
    )
    if isinstance(erased, Organisation):
        result.audit_redacted += _redact_own_audit("organisations", [erased.id])
    result.anonymised = scrub(needles, skip=retention.held_keys(), always=always)
    db.session.expire_all()
    return result


def _safe_reason(reason: str, needles: Needles) -> str:
    """The reason as logged: the person's name or address in it is replaced too."""
    if needles.empty:
        return reason
    strong, weak = needles.patterns()
    text = strong.sub(REPLACEMENT, reason)
    return weak.sub(REPLACEMENT, text) if weak else text


def erase_contact_person(
    contact: ContactPerson, *, reason: str | None, password: str | None, actor: Any
) -> ErasureResult:
    """Erase a contact person; a SEPA mandate in their name is kept under a retention hold."""
    reason = check_confirmation(actor, reason, password)
    if contact.erased_at is not None:
        raise DomainError(_("Diese Person wurde bereits gelöscht."))
    needles = person_needles(contact)
    strong, _weak = needles.patterns() if not needles.empty else (None, None)
    memberships = db.session.execute(
        sa.select(Membership.id, Membership.account_holder).where(
            Membership.organisation_id == contact.organisation_id, Membership.account_holder.is_not(None)
        )
    ).all()
    in_their_name = [
        mid
        for mid, holder in memberships
        if (strong is not None and strong.search(holder))
        or holder.strip().lower() in {contact.full_name.lower(), (contact.last_name or "").lower()}
    ]
    logged_reason = _safe_reason(reason, needles)
    org = contact.organisation
    result = _erase(
        needles,
        holds=retention.holds_for_memberships(in_their_name),
        erased=contact,
        persons=[contact],
        actor=actor,
    )
    refresh_search_tokens(org)
    record("person_erased", entity=contact, actor=actor, details=result.details(logged_reason))
    db.session.flush()
    return result


def erase_door_opener(
    door_opener: DoorOpener, *, reason: str | None, password: str | None, actor: Any
) -> ErasureResult:
    """Erase the person of a door-opener; the institution and its introductions stay."""
    reason = check_confirmation(actor, reason, password)
    if door_opener.erased_at is not None:
        raise DomainError(_("Diese Person wurde bereits gelöscht."))
    # Duplicates merged into this door-opener are the same person under an older record.
    merged = list(
        db.session.scalars(
            sa.select(DoorOpener).where(
                DoorOpener.merged_into_id == door_opener.id, DoorOpener.erased_at.is_(None)
            )
        )
    )
    needles = person_needles(door_opener)
    for duplicate in merged:
        person_needles(duplicate, needles)
    logged_reason = _safe_reason(reason, needles)
    result = _erase(needles, holds={}, erased=door_opener, persons=[door_opener, *merged], actor=actor)
    record("person_erased", entity=door_opener, actor=actor, details=result.details(logged_reason))
    db.session.flush()
    return result


def sole_trader_needles(org: Organisation) -> Needles:
    """A sole trader's name (with and without "e.K."), address, e-mail, phone and website."""
    needles = Needles()
    bare = _SOLE_TRADER_SUFFIX.sub("", org.name).strip()
    needles.add(org.name, bare, org.email, org.website, org.website_domain, org.street)
    needles.add(*phone_variants(org.phone))
    needles.exact.extend([org.name, bare])
    return needles


def erase_organisation(
    org: Organisation, *, reason: str | None, password: str | None, actor: Any, bulk: bool = False
) -> ErasureResult:
    """Anonymise a company whose name is a person's (sole trader) with all its contact persons.

    Fees, mandates, collections and invoiced sponsorships are kept under a retention hold; the
    company is archived. ``bulk`` skips the password check (the retention review checked it once).
    """
    if not bulk:
        reason = check_confirmation(actor, reason, password)
    reason = (reason or "").strip()
    if org.erased_at is not None:
        raise DomainError(_("Dieses Unternehmen wurde bereits anonymisiert."))
    today = date.today()
    running = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(
            Membership.organisation_id == org.id,
            sa.or_(Membership.ends_on.is_(None), Membership.ends_on >= today),
        )
    )
    if running:
        raise DomainError(
            _("Das Unternehmen hat eine laufende Mitgliedschaft. Bitte beenden Sie sie vor der Löschung.")
        )
    contacts = list(
        db.session.scalars(sa.select(ContactPerson).where(ContactPerson.organisation_id == org.id))
    )
    needles = sole_trader_needles(org)
    for contact in contacts:
        person_needles(contact, needles)
    logged_reason = _safe_reason(reason, needles)
    membership_ids = list(
        db.session.scalars(sa.select(Membership.id).where(Membership.organisation_id == org.id))
    )
    holds = {**retention.holds_for_memberships(membership_ids), **retention.holds_for_sponsorships(org.id)}
    placeholder = f"{ANONYMOUS_COMPANY} {org.id}"
    _anonymise_row(org, placeholder)
    org.name_sort, org.name_key = sort_key(placeholder), name_key(placeholder)
    org.register_number = org.register_key = None
    was_archived = org.is_archived
    org.is_archived = True
    org.archived_at = org.archived_at or utcnow()
    result = _erase(needles, holds=holds, erased=org, persons=contacts, actor=actor)
    org = db.session.get(Organisation, org.id)
    refresh_search_tokens(org)
    if not was_archived:
        send_results_changed([org.id])
    record("organisation_erased", entity=org, actor=actor, details=result.details(logged_reason))
    db.session.flush()
    return result
