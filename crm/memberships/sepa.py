"""SEPA direct debit: which fees can be collected, the pain.008 file, and the recorded collections.

The file is built with sepaxml (pain.008.001.08) and validated against the XSD that sepaxml
ships (with lxml: the pure-Python validator needs about 20 s for 20,000 transactions). A fee
goes into at most one collection: ``collection_items.fee_id`` is unique.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import sepaxml
import sqlalchemy as sa
from flask_babel import gettext as _
from lxml import etree
from sepaxml import SepaDD

from crm.audit.services import record
from crm.auth import permissions
from crm.auth.models import User
from crm.core.errors import DomainError, PermissionDenied, ValidationFailed
from crm.core.formatting import cents_filter, date_filter
from crm.extensions import db
from crm.memberships.banking import (
    BankDataError,
    bic_matches_iban,
    clean_bic,
    compact,
    iban_checksum_ok,
)
from crm.memberships.creditor import earliest_collection_date, get_settings, is_business_day
from crm.memberships.fees import ORDER, FeeQuery, filtered
from crm.memberships.models import Collection, CollectionItem, CreditorSettings, Fee, Membership
from crm.memberships.vocab import FeeStatus, PaymentMethod, SepaScheme
from crm.organisations.models import Organisation

SCHEMA = "pain.008.001.08"
MANDATE_MONTHS = 36


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- which fees go into a file -------------------------------------------------------------


@dataclass(frozen=True)
class Excluded:
    fee_id: int
    organisation_id: int
    organisation_name: str
    amount_cents: int
    reason: str


@dataclass
class Selection:
    """Fees that go into the file and those left out, each with its reason."""

    scheme: SepaScheme
    collection_date: date
    items: list[dict[str, Any]] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    other_scheme: int = 0

    @property
    def total_cents(self) -> int:
        return sum(item["amount"] for item in self.items)


def _candidate_statement(query: FeeQuery, user: Any) -> sa.Select[Any]:
    """Open SEPA fees of the year (and the list's size-class filter), with their mandates."""
    sepa_query = FeeQuery(year=query.year, statuses=["open"], methods=["sepa"], sizes=query.sizes)
    return (
        filtered(
            sepa_query,
            user,
            Fee.id,
            Fee.amount_cents,
            Fee.due_on,
            Fee.returned_on,
            Fee.months,
            Organisation.id,
            Organisation.name,
            Membership.id,
            Membership.mandate_reference,
            Membership.mandate_signed_on,
            Membership.account_holder,
            Membership.iban,
            Membership.bic,
            Membership.sepa_scheme,
            Membership.last_debit_on,
        )
        .join(Membership, Membership.id == Fee.membership_id)
        .order_by(*ORDER)
    )


def _reason(row: Any, collection_date: date) -> str | None:
    """Why this fee cannot be collected on ``collection_date``, or None when it can."""
    (
        _fee_id,
        amount,
        due_on,
        returned_on,
        _m,
        _o,
        _n,
        _mid,
        reference,
        signed,
        holder,
        iban,
        bic,
        scheme,
        last,
    ) = row
    if amount <= 0:
        return _("Betrag 0 € – eine Lastschrift über 0 € lässt die ganze Datei zurückweisen")
    if returned_on is not None:
        return _(
            "Lastschrift wurde am %(date)s zurückgegeben – bitte anders einziehen",
            date=date_filter(returned_on),
        )
    if not (reference and signed and holder and scheme):  # labels only for the rare incomplete mandate
        missing = [
            label
            for value, label in (
                (reference, _("Mandatsreferenz")),
                (signed, _("Unterschriftsdatum")),
                (holder, _("Kontoinhaber")),
                (scheme, _("Verfahren")),
            )
            if not value
        ]
        return _("Mandat unvollständig (es fehlt: %(fields)s)", fields=", ".join(missing))
    if not iban:
        return _("IBAN fehlt")
    if not iban_checksum_ok(compact(iban)):
        return _("IBAN ungültig (Prüfziffer)")
    if bic:
        try:
            clean_bic(bic)
        except BankDataError:
            return _("BIC ungültig")
        if not bic_matches_iban(iban, bic):
            return _("BIC passt nicht zur Bank der IBAN (veraltet, z. B. nach einer Bankfusion?)")
    if signed > collection_date:
        return _("Mandat erst nach dem Einzugsdatum unterschrieben")
    used = last or signed
    if _add_months(used, MANDATE_MONTHS) < collection_date:
        return _(
            "Mandat verfallen: seit über 36 Monaten nicht genutzt (zuletzt %(date)s)", date=date_filter(used)
        )
    if due_on > collection_date:
        return _("Noch nicht fällig (fällig am %(date)s)", date=date_filter(due_on))
    return None


def select_fees(query: FeeQuery, user: Any, scheme: SepaScheme, collection_date: date) -> Selection:
    """Split the open SEPA fees into the file's items and the excluded ones (with reasons)."""
    scheme = SepaScheme(scheme)
    selection = Selection(scheme=scheme, collection_date=collection_date)
    year = query.year
    for row in db.session.execute(_candidate_statement(query, user)):
        fee_id, amount, _due, _ret, months, org_id, org_name, m_id, reference = row[:9]
        holder, iban, bic, row_scheme, last = row[10:]
        if row_scheme is not None and SepaScheme(row_scheme) != scheme:
            selection.other_scheme += 1
            continue
        reason = _reason(row, collection_date)
        if reason is not None:
            selection.excluded.append(Excluded(fee_id, org_id, org_name, amount, reason))
            continue
        description = f"Mitgliedsbeitrag {year}" + (f" anteilig {months}/12" if months != 12 else "")
        selection.items.append(
            {
                "fee_id": fee_id,
                "membership_id": m_id,
                "name": holder,
                "IBAN": compact(iban),
                "BIC": compact(bic) if bic else None,
                "amount": int(amount),
                "type": "RCUR" if last else "FRST",
                "mandate_id": reference,
                "mandate_date": row[9],
                "description": f"{description} {org_name}",
                "endtoend_id": f"BEITRAG-{year}-{fee_id}",
            }
        )
    return selection


# --- the file ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _xml_schema() -> etree.XMLSchema:
    path = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", f"{SCHEMA}.xsd")
    return etree.XMLSchema(etree.parse(path))


class InvalidSepaFile(DomainError):
    """The generated file does not validate against the XSD (nothing is recorded)."""


def validate_xml(xml: bytes) -> None:
    """Raise ``InvalidSepaFile`` unless ``xml`` is valid pain.008.001.08."""
    schema = _xml_schema()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    document = etree.fromstring(xml, parser)
    if not schema.validate(document):
        error = schema.error_log.last_error
        raise InvalidSepaFile(
            _("Die SEPA-Datei ist ungültig: %(error)s", error=str(error.message if error else ""))
        )


def build_xml(settings: CreditorSettings, selection: Selection) -> tuple[bytes, str]:
    """The pain.008.001.08 document and its message id, validated against the XSD."""
    config: dict[str, Any] = {
        "name": settings.name,
        "IBAN": settings.iban,
        "batch": True,
        "creditor_id": settings.creditor_id,
        "currency": "EUR",
        "instrument": selection.scheme.value,
    }
    if settings.bic:
        config["BIC"] = settings.bic
    document = SepaDD(config, schema=SCHEMA, clean=True)
    for item in selection.items:
        payment = {k: v for k, v in item.items() if k not in ("fee_id", "membership_id")}
        if not payment["BIC"]:
            del payment["BIC"]
        payment["collection_date"] = selection.collection_date
        document.add_payment(payment)
    xml = document.export(validate=False)
    validate_xml(xml)
    return xml, document.msg_id


def create_collection(
    query: FeeQuery,
    *,
    scheme: SepaScheme,
    collection_date: date,
    actor: User,
    expected: tuple[int, int] | None = None,
) -> tuple[Collection, Selection]:
    """Build the file, record the collection and mark its fees "submitted" (one transaction).

    ``expected`` is (count, total in cents) as the preview showed them: when the fees changed in
    between, nothing is made and the user looks at the new preview first.
    """
    if not permissions.can_manage_memberships(actor):
        raise PermissionDenied(_("Nur die Leitung erstellt Lastschriftdateien."))
    settings = get_settings()
    if settings is None:
        raise DomainError(_("Die Gläubigerdaten fehlen. Die Administration muss sie zuerst eintragen."))
    earliest = earliest_collection_date(settings)
    if collection_date < earliest or not is_business_day(collection_date):
        raise ValidationFailed(
            {
                "collection_date": [
                    _(
                        "Das Einzugsdatum muss ein Bankarbeitstag ab dem %(date)s sein (Vorabankündigung).",
                        date=date_filter(earliest),
                    )
                ]
            }
        )
    selection = select_fees(query, actor, scheme, collection_date)
    if not selection.items:
        raise DomainError(_("Keine Beiträge für diese Lastschriftdatei."))
    if expected is not None and expected != (len(selection.items), selection.total_cents):
        raise DomainError(
            _("Die Beiträge haben sich seit der Vorschau geändert. Bitte prüfen Sie die neue Vorschau.")
        )
    xml, message_id = build_xml(settings, selection)
    collection = Collection(
        year=query.year,
        scheme=selection.scheme,
        collection_date=collection_date,
        message_id=message_id[:35],
        filename="",
        fee_count=len(selection.items),
        total_cents=selection.total_cents,
        xml=xml,
        created_by_id=actor.id,
    )
    db.session.add(collection)
    db.session.flush()
    scheme_name = selection.scheme.value.lower()
    collection.filename = (
        f"lastschrift-{query.year}-{scheme_name}-{collection_date.isoformat()}-{collection.id}.xml"
    )
    db.session.execute(
        sa.insert(CollectionItem),
        [
            {
                "collection_id": collection.id,
                "fee_id": item["fee_id"],
                "amount_cents": item["amount"],
                "sequence_type": item["type"],
                "mandate_reference": item["mandate_id"],
            }
            for item in selection.items
        ],
    )
    in_collection = sa.select(CollectionItem.fee_id).where(CollectionItem.collection_id == collection.id)
    changed = db.session.execute(
        sa.update(Fee)
        .where(Fee.id.in_(in_collection), Fee.status == FeeStatus.OPEN)
        .values(status=FeeStatus.SUBMITTED)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != len(selection.items):
        raise DomainError(_("Einige Beiträge wurden inzwischen geändert. Bitte die Vorschau neu laden."))
    debited = sa.select(Fee.membership_id).where(Fee.id.in_(in_collection))
    db.session.execute(
        sa.update(Membership)
        .where(Membership.id.in_(debited))
        .values(last_debit_on=collection_date)
        .execution_options(synchronize_session=False)
    )
    record(
        "sepa_collection_created",
        entity=collection,
        actor=actor,
        details={
            "year": query.year,
            "scheme": selection.scheme.value,
            "collection_date": collection_date.isoformat(),
            "fees": len(selection.items),
            "total": cents_filter(selection.total_cents),
            "excluded": len(selection.excluded),
        },
    )
    db.session.flush()
    return collection, selection


def collections_for(year: int) -> list[Collection]:
    return list(
        db.session.scalars(
            sa.select(Collection).where(Collection.year == year).order_by(Collection.created_at.desc())
        )
    )


def payment_method_is_sepa(method: Any) -> bool:
    return PaymentMethod(method) == PaymentMethod.SEPA
