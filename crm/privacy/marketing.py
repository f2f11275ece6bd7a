"""Marketing contact lists: the contact persons of the filtered companies, minus every objection.

People with a marketing block, and people whose e-mail address is on the block list (an objection
recorded elsewhere, or before a re-import), are left out. The export is audited with its filter
and row count like the company export.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, request
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from crm.audit.services import record
from crm.auth import permissions
from crm.core.db import writes_on_get
from crm.core.export import Column, csv_response, select_columns, xlsx_response
from crm.core.transaction import unit_of_work
from crm.extensions import db
from crm.organisations.models import ContactPerson as Person
from crm.organisations.models import Organisation as Org
from crm.organisations.queries import filtered_statement, parse_list_query
from crm.organisations.vocab import SALUTATION_LABELS
from crm.privacy.suppression import suppressed_among
from crm.privacy.views import bp

_CHUNK = 1000


def columns() -> list[Column]:
    """The columns of the contact list."""
    salutations = {key.value: str(text) for key, text in SALUTATION_LABELS.items()}
    return [
        Column("Unternehmen", Org.name, width=36),
        Column("Anrede", Person.salutation, "label", 8, salutations),
        Column("Titel", Person.title, width=8),
        Column("Vorname", Person.first_name, width=16),
        Column("Nachname", Person.last_name, width=18),
        Column("Funktion", Person.function, width=20),
        Column("E-Mail", Person.email, width=28),
        Column("Telefon", Person.phone),
        Column("Mobil", Person.mobile),
        Column("E-Mail-Einwilligung", Person.email_consent, "bool", 10),
        Column("Einwilligung am", Person.email_consent_on, "date", 12),
        Column("Ort", Org.city, width=18),
    ]


def contact_rows(cols: list[Column]) -> list[Any]:
    """The rows for the current company filter, without blocked people (read in chunks)."""
    query = parse_list_query(current_user)
    stmt = (
        filtered_statement(query, current_user, *select_columns(cols), Person.email.label("raw_email"))
        .join(Person, Person.organisation_id == Org.id)
        .where(
            Person.is_archived.is_(False),
            Person.erased_at.is_(None),
            Person.marketing_blocked.is_(False),
        )
        .order_by(Org.name_sort, Org.id, Person.last_name, Person.id)
    )
    rows: list[Any] = []
    chunk: list[Any] = []

    def flush() -> None:
        blocked = suppressed_among(r.raw_email for r in chunk)
        rows.extend(tuple(r)[:-1] for r in chunk if r.raw_email not in blocked)
        chunk.clear()

    for row in db.session.execute(stmt):
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            flush()
    flush()
    return rows


def _export(kind: str) -> Response:
    if not permissions.can_handle_data_requests(current_user):
        abort(403)
    cols = columns()
    rows = contact_rows(cols)
    with unit_of_work():
        record(
            "export",
            entity_type="contact_persons",
            actor=current_user,
            details={
                "format": kind,
                "list": "marketing_contacts",
                "filter": request.args.to_dict(flat=False),
                "rows": len(rows),
            },
        )
    filename = f"kontaktliste-{date.today().isoformat()}.{kind}"
    if kind == "csv":
        return csv_response(filename, cols, rows)
    return xlsx_response(filename, cols, rows, sheet="Kontakte")


@bp.get("/organisations/marketing-contacts.csv")
@writes_on_get
@login_required
def marketing_contacts_csv() -> Response:
    """Contact persons of the filtered companies as CSV, without people who objected (managers)."""
    return _export("csv")


@bp.get("/organisations/marketing-contacts.xlsx")
@writes_on_get
@login_required
def marketing_contacts_xlsx() -> Response:
    """The same list as XLSX."""
    return _export("xlsx")
