"""Writing a checked import in one transaction: companies, contacts, links, tokens, audit.

Rows are streamed in chunks and written with Core batch inserts (an ORM object per row would take
minutes at 50,000 rows), while the derived keys, search tokens, stage history and audit entries
are computed exactly as the company services compute them. The caller commits — or rolls back,
and then nothing of the import is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import gettext as _

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.core.db import utcnow
from crm.core.errors import DomainError
from crm.extensions import db
from crm.imports.check import status_counts
from crm.imports.models import BatchStatus, Decision, ImportBatch, ImportLink, ImportRow, RowStatus
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken, StageChange
from crm.organisations.normalise import fold, token_words
from crm.organisations.search import refresh_search_tokens_bulk
from crm.organisations.services import FIELDS, _apply_derived
from crm.organisations.vocab import LegalBasis, Stage
from crm.privacy.suppression import suppress_many, suppressed_among

CHUNK = 2000
MODES = ("all", "valid")
_VALID = (RowStatus.NEW, RowStatus.MATCH, RowStatus.DUPLICATE)
_DERIVED = (
    "name_sort",
    "name_key",
    "website_domain",
    "register_key",
    "wz_version",
    "size_class",
    "size_class_provisional",
)
_CONTACT_DEFAULTS: dict[str, Any] = {
    "salutation": None,
    "title": None,
    "first_name": None,
    "last_name": None,
    "function": None,
    "is_decision_maker": False,
    "email": None,
    "phone": None,
    "mobile": None,
    "notes": None,
    "marketing_blocked": False,
    "marketing_blocked_on": None,
}


def data_source(batch: ImportBatch, when: datetime) -> str:
    """What every imported contact records as the source of its data (Art. 14 GDPR)."""
    text = _("Import %(file)s vom %(date)s", file=batch.file_name, date=when.strftime("%d.%m.%Y"))
    return text[:300]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value is False


def _org_values(values: dict[str, Any]) -> dict[str, Any]:
    """Stored JSON values of a row's company as Python values for the insert."""
    out = {name: values.get(name) for name in FIELDS}
    out["is_training_active"] = bool(out["is_training_active"])
    if out["founded_on"]:
        out["founded_on"] = date.fromisoformat(out["founded_on"])
    return out


def _derived(values: dict[str, Any]) -> dict[str, Any]:
    """name_sort, name_key, website_domain, … exactly as ``services._apply_derived`` sets them."""
    org = SimpleNamespace(**values)
    org.size_class_override = values.get("size_class_override")
    _apply_derived(org)  # type: ignore[arg-type]
    return {name: getattr(org, name) for name in _DERIVED}


def _contact_keys(
    organisation_id: int, email: str | None, first: str | None, last: str | None
) -> set[tuple[int, str]]:
    """Keys under which a person counts as already present at a company: e-mail, or full name."""
    keys = {(organisation_id, "n:" + fold(first) + "|" + fold(last))}
    if email:
        keys.add((organisation_id, "e:" + email.strip().lower()))
    return keys


class Writer:
    """One commit of one batch (use ``commit_batch``)."""

    def __init__(self, batch: ImportBatch, actor: User) -> None:
        self.batch, self.actor = batch, actor
        self.now = utcnow()
        self.today = date.today()
        self.source = data_source(batch, self.now)
        self.ip = request.remote_addr if has_request_context() else None
        self.plan: dict[
            int, tuple[str, int | None]
        ] = {}  # row -> ("org", id) | ("row", creator) | ("new", None)
        self.new_org_of_row: dict[int, int] = {}
        self.existing: dict[int, dict[str, Any]] = {}  # linked company id -> its current values
        self.fills: dict[int, dict[str, list[Any]]] = {}  # linked company id -> field: [old, new]
        self.new_fills: dict[int, dict[str, Any]] = {}  # created company id -> field: value
        self.contacts_loaded: set[int] = set()
        self.contact_keys: set[tuple[int, str]] = set()
        self.contacts_added: dict[int, int] = {}
        self.retoken: set[int] = set()
        self.to_suppress: list[str] = []
        self.tokens: list[dict[str, Any]] = []
        self.has_dependents: set[int] = set()  # creator rows that later rows link to
        self.creator_values: dict[int, dict[str, Any]] = {}  # their company's values
        self.counts = {"created": 0, "linked": 0, "contacts": 0, "contacts_skipped": 0, "blocked": 0}

    # --- plan --------------------------------------------------------------------------------

    def make_plan(self) -> None:
        """Decide for every valid row: new company, existing company, or an earlier row's company."""
        rows = db.session.execute(
            sa.select(
                ImportRow.row_number,
                ImportRow.status,
                ImportRow.decision,
                ImportRow.match_organisation_id,
                ImportRow.duplicate_of_row,
            )
            .where(ImportRow.batch_id == self.batch.id, ImportRow.status.in_(_VALID))
            .order_by(ImportRow.row_number)
        ).all()
        missing = []
        for row in rows:
            link = row.decision != Decision.CREATE
            if row.status == RowStatus.MATCH and link:
                if row.match_organisation_id is None:
                    missing.append(row.row_number)
                self.plan[row.row_number] = ("org", row.match_organisation_id)
            elif row.status == RowStatus.DUPLICATE and link and row.duplicate_of_row in self.plan:
                kind, target = self.plan[row.duplicate_of_row]
                self.plan[row.row_number] = (kind, target) if kind != "new" else ("row", row.duplicate_of_row)
            else:
                self.plan[row.row_number] = ("new", None)
        self.has_dependents = {t for kind, t in self.plan.values() if kind == "row" and t is not None}
        linked = {target for kind, target in self.plan.values() if kind == "org" and target is not None}
        self._load_existing(linked)
        gone = sorted(i for i in linked if i not in self.existing or self.existing[i]["is_archived"])
        if missing or gone:
            raise DomainError(
                _(
                    "%(n)s Unternehmen aus der Vorschau wurden inzwischen archiviert, zusammengeführt "
                    "oder gelöscht. Es wurde nichts importiert; bitte prüfen Sie die Datei erneut.",
                    n=len(missing) + len(gone),
                )
            )
        self.counts["linked"] = len(linked)

    def _load_existing(self, ids: set[int]) -> None:
        table = Organisation.__table__
        columns = [
            table.c.id,
            table.c.version,
            table.c.is_archived,
            table.c.size_class_override,
            *(table.c[name] for name in FIELDS),
        ]
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            stmt = sa.select(*columns).where(table.c.id.in_(ordered[start : start + CHUNK]))
            for row in db.session.execute(stmt.with_for_update()).mappings():
                self.existing[row["id"]] = dict(row)

    # --- rows --------------------------------------------------------------------------------

    def _chunks(self) -> Iterator[list[Any]]:
        last = 0
        while True:
            chunk = db.session.execute(
                sa.select(ImportRow.row_number, ImportRow.data, ImportRow.email_blocked)
                .where(
                    ImportRow.batch_id == self.batch.id,
                    ImportRow.status.in_(_VALID),
                    ImportRow.row_number > last,
                )
                .order_by(ImportRow.row_number)
                .limit(CHUNK)
            ).all()
            if not chunk:
                return
            yield chunk
            last = chunk[-1].row_number

    def write_rows(self) -> None:
        for chunk in self._chunks():
            self._write_chunk(chunk)

    def _write_chunk(self, chunk: list[Any]) -> None:
        creators = [row for row in chunk if self.plan[row.row_number][0] == "new"]
        self._create_organisations(creators)
        targets = {}
        for row in chunk:
            kind, target = self.plan[row.row_number]
            if kind == "new":
                targets[row.row_number] = self.new_org_of_row[row.row_number]
                continue
            org_id = self.new_org_of_row[target] if kind == "row" else target  # type: ignore[index]
            targets[row.row_number] = org_id
            self._fill(org_id, row.data["org"])
        self._add_contacts(chunk, targets)

    def _create_organisations(self, rows: list[Any]) -> None:
        if not rows:
            return
        table = Organisation.__table__
        params = []
        for row in rows:
            values = _org_values(row.data["org"])
            values.update(_derived(values))
            values.update(
                owner_id=self.batch.owner_id,
                stage=Stage.LEAD.value,
                stage_changed_at=self.now,
                created_at=self.now,
                updated_at=self.now,
                created_by_id=self.actor.id,
                version=1,
                is_archived=False,
                import_batch_id=self.batch.id,
            )
            params.append(values)
        ids = _insert_with_ids(table, params)
        for row, org_id, values in zip(rows, ids, params, strict=True):
            self.new_org_of_row[row.row_number] = org_id
            if row.row_number in self.has_dependents:
                self.creator_values[org_id] = values
            contact = row.data.get("contact") or {}
            words = token_words(
                values["name"], values["city"], contact.get("first_name"), contact.get("last_name")
            )
            self.tokens.extend({"organisation_id": org_id, "token": w} for w in sorted(words))
        self._insert(
            StageChange.__table__,
            [
                {
                    "organisation_id": org_id,
                    "from_stage": None,
                    "to_stage": Stage.LEAD.value,
                    "changed_at": self.now,
                    "changed_by_id": self.actor.id,
                    "is_automatic": False,
                    "reason": None,
                }
                for org_id in ids
            ],
        )
        self._insert(OrganisationSearchToken.__table__, self.tokens)
        self.tokens = []
        self._audit(
            [
                (
                    "organisation_created",
                    "organisations",
                    org_id,
                    None,
                    {"name": v["name"], "import_batch_id": self.batch.id},
                )
                for org_id, v in zip(ids, params, strict=True)
            ]
        )
        self.counts["created"] += len(ids)

    def _fill(self, org_id: int, values: dict[str, Any]) -> None:
        """Remember which empty fields of the target company this row can fill."""
        incoming = _org_values(values)
        if org_id in self.existing:
            current = self.existing[org_id]
            fills = self.fills.setdefault(org_id, {})
            for name in FIELDS:
                if name == "name" or name in fills or _empty(incoming[name]) or not _empty(current[name]):
                    continue
                fills[name] = [current[name], incoming[name]]
        else:  # a company created from an earlier row of this file
            current = self.creator_values[org_id]
            for name in FIELDS:
                if _empty(current[name]) and not _empty(incoming[name]):
                    current[name] = incoming[name]
                    self.new_fills.setdefault(org_id, {})[name] = incoming[name]

    def _add_contacts(self, chunk: list[Any], targets: dict[int, int]) -> None:
        wanted = [(row, row.data.get("contact")) for row in chunk if row.data.get("contact")]
        if not wanted:
            return
        self._load_contacts({targets[row.row_number] for row, _c in wanted} & self.existing.keys())
        blocked = suppressed_among(c.get("email") for _r, c in wanted)
        params, owners = [], []
        for row, contact in wanted:
            org_id = targets[row.row_number]
            keys = _contact_keys(
                org_id, contact.get("email"), contact.get("first_name"), contact.get("last_name")
            )
            if keys & self.contact_keys:
                self.counts["contacts_skipped"] += 1
                continue
            self.contact_keys |= keys
            values = {**_CONTACT_DEFAULTS, **{k: v for k, v in contact.items() if k in _CONTACT_DEFAULTS}}
            if values["marketing_blocked"] and values["email"]:
                self.to_suppress.append(values["email"])
            if row.email_blocked or (values["email"] and values["email"] in blocked):
                values["marketing_blocked"] = True
            if values["marketing_blocked"]:
                self.counts["blocked"] += 1
                values["marketing_blocked_on"] = values["marketing_blocked_on"] or self.today.isoformat()
            values["marketing_blocked_on"] = (
                date.fromisoformat(values["marketing_blocked_on"]) if values["marketing_blocked_on"] else None
            )
            values.update(
                organisation_id=org_id,
                legal_basis=LegalBasis.LEGITIMATE_INTEREST.value,
                data_source=self.source,
                informed_on=None,
                email_consent=False,
                email_consent_on=None,
                email_consent_method=None,
                email_consent_wording=None,
                is_archived=False,
                created_at=self.now,
                updated_at=self.now,
                version=1,
                import_batch_id=self.batch.id,
            )
            params.append(values)
            owners.append(org_id)
            if self.plan[row.row_number][0] != "new":
                self.retoken.add(org_id)
                if org_id in self.existing:
                    self.contacts_added[org_id] = self.contacts_added.get(org_id, 0) + 1
        if not params:
            return
        ids = _insert_with_ids(ContactPerson.__table__, params)
        self._audit(
            [
                (
                    "contact_created",
                    "contact_persons",
                    contact_id,
                    None,
                    {"organisation_id": org_id, "import_batch_id": self.batch.id},
                )
                for contact_id, org_id in zip(ids, owners, strict=True)
            ]
        )
        self.counts["contacts"] += len(ids)

    def _load_contacts(self, org_ids: set[int]) -> None:
        """The people already at these existing companies (so a re-import adds nobody twice)."""
        todo = sorted(org_ids - self.contacts_loaded)
        for start in range(0, len(todo), CHUNK):
            part = todo[start : start + CHUNK]
            for org_id, email, first, last in db.session.execute(
                sa.select(
                    ContactPerson.organisation_id,
                    ContactPerson.email,
                    ContactPerson.first_name,
                    ContactPerson.last_name,
                ).where(ContactPerson.organisation_id.in_(part), ContactPerson.is_archived.is_(False))
            ):
                self.contact_keys |= _contact_keys(org_id, email, first, last)
        self.contacts_loaded.update(todo)

    # --- finish ------------------------------------------------------------------------------

    def apply_fills(self) -> None:
        """Fill empty fields of linked companies (version + 1) and of companies made from earlier rows."""
        table = Organisation.__table__
        links = []
        touched = set(self.fills) | set(self.contacts_added)
        for org_id in sorted(touched):
            fills = self.fills.get(org_id, {})
            current = self.existing[org_id]
            version = current["version"]
            if fills:
                merged = {**current, **{k: new for k, (_old, new) in fills.items()}}
                values = {k: new for k, (_old, new) in fills.items()} | _derived(merged)
                db.session.execute(
                    sa.update(table)
                    .where(table.c.id == org_id, table.c.version == version)
                    .values(**values, version=version + 1, updated_at=self.now)
                )
                version += 1
                if "city" in fills:
                    self.retoken.add(org_id)
                self._audit(
                    [
                        (
                            "organisation_updated",
                            "organisations",
                            org_id,
                            {k: [old, new] for k, (old, new) in fills.items()},
                            {"import_batch_id": self.batch.id},
                        )
                    ]
                )
            links.append(
                {
                    "batch_id": self.batch.id,
                    "organisation_id": org_id,
                    "filled": _jsonable(fills) if fills else None,
                    "version_after": version,
                    "contacts_added": self.contacts_added.get(org_id, 0),
                }
            )
        self._insert(ImportLink.__table__, links)
        for org_id, values in self.new_fills.items():  # still version 1: created by this import
            merged = self.creator_values[org_id]
            db.session.execute(
                sa.update(table).where(table.c.id == org_id).values(**values, **_derived(merged))
            )
            self.retoken.add(org_id)
        refresh_search_tokens_bulk(self.retoken)
        if self.to_suppress:
            suppress_many(self.to_suppress, _("Werbesperre aus Import %(file)s", file=self.batch.file_name))

    # --- helpers -----------------------------------------------------------------------------

    def _insert(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        if rows:
            db.session.execute(sa.insert(table), rows)

    def _audit(
        self, entries: list[tuple[str, str, int, dict[str, Any] | None, dict[str, Any] | None]]
    ) -> None:
        self._insert(
            AuditEntry.__table__,
            [
                {
                    "at": self.now,
                    "actor_id": self.actor.id,
                    "action": action,
                    "entity_type": entity_type,
                    "entity_id": entity_id,
                    "changes": _jsonable(changes),
                    "details": details,
                    "ip_address": self.ip,
                }
                for action, entity_type, entity_id, changes, details in entries
            ],
        )


def _reserve_ids(table: sa.Table, n: int) -> list[int]:
    """``n`` fresh primary keys for ``table``, so rows can be inserted in one executemany.

    (RETURNING in a batch insert keeps the row order only row by row on SQLite, which is 40
    times slower.) PostgreSQL hands out ids from the table's sequence; on SQLite the import runs
    in a write transaction (BEGIN IMMEDIATE), so nobody else can take the ids after max(id).
    """
    if db.session.connection().dialect.name == "postgresql":
        sequence = db.session.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
        return list(
            db.session.scalars(
                sa.text("SELECT nextval(:s) FROM generate_series(1, :n)"), {"s": sequence, "n": n}
            )
        )
    start = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
    return list(range(start, start + n))


def _insert_with_ids(table: sa.Table, params: list[dict[str, Any]]) -> list[int]:
    ids = _reserve_ids(table, len(params))
    for values, new_id in zip(params, ids, strict=True):
        values["id"] = new_id
    db.session.execute(sa.insert(table), params)
    return ids


def _jsonable(changes: dict[str, Any] | None) -> dict[str, Any] | None:
    if changes is None:
        return None
    return {k: [v.isoformat() if isinstance(v, date) else v for v in pair] for k, pair in changes.items()}


def commit_batch(batch: ImportBatch, *, actor: User, mode: str) -> dict[str, int]:
    """Import the checked rows of ``batch``; "all" refuses when any row has errors.

    Everything happens in the caller's transaction: on any error the caller rolls back and
    nothing of the import is written.
    """
    if batch.status != BatchStatus.CHECKED:
        raise DomainError(_("Dieser Import ist nicht bereit zum Übernehmen."))
    if mode not in MODES:
        raise DomainError(_("Unbekannte Importart."))
    rows = status_counts(batch)
    if mode == "all" and rows["error"]:
        raise DomainError(
            _(
                "%(n)s Zeilen sind fehlerhaft. Es wurde nichts importiert. Korrigieren Sie die Datei "
                "oder wählen Sie „nur fehlerfreie Zeilen importieren“.",
                n=rows["error"],
            )
        )
    if not rows["valid"]:
        raise DomainError(_("Die Datei enthält keine fehlerfreie Zeile; es gibt nichts zu importieren."))
    writer = Writer(batch, actor)
    writer.make_plan()
    writer.write_rows()
    writer.apply_fills()
    counts = {**writer.counts, "rows": batch.row_count, "errors": rows["error"], "valid": rows["valid"]}
    batch.status = BatchStatus.COMMITTED
    batch.commit_mode = mode
    batch.committed_at = writer.now
    batch.counts = counts
    batch.content = None
    db.session.add(
        AuditEntry(
            action="import_committed",
            entity_type="import_batches",
            entity_id=batch.id,
            actor_id=actor.id,
            details={"file": batch.file_name, "mode": mode, **counts},
            ip_address=writer.ip,
        )
    )
    db.session.flush()
    return counts
