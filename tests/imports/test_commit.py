"""Committing an import (all-or-nothing or valid rows), duplicates, re-import, marketing block, undo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.core.db import utcnow
from crm.extensions import db
from crm.imports import commit as commit_module
from crm.imports.models import ImportBatch, ImportLink, ImportRow
from crm.organisations.models import ContactPerson, Organisation, OrganisationSearchToken, StageChange
from crm.privacy.suppression import is_suppressed, suppress
from tests.conftest import post
from tests.factories import ContactPersonFactory, OrganisationFactory
from tests.imports.files import csv_bytes, xlsx_bytes
from tests.imports.helpers import commit, do_import, latest_batch, prepare

HEADER = ["Firma", "Straße", "PLZ", "Ort", "Website", "Ansprechpartner", "Funktion", "E-Mail"]
ROWS = [
    [
        "Tischlerei Holzwurm GmbH",
        "Am Hafen 1",
        "29221",
        "Celle",
        "www.holzwurm.de",
        "Anna Heide",
        "Inhaberin",
        "anna@holzwurm.de",
    ],
    [
        "Metallbau Funke",
        "Hauptstraße 5",
        "30159",
        "Hannover",
        "",
        "Herr Max Funke",
        "Geschäftsführer",
        "max@funke.de",
    ],
    ["Metallbau Funke", "Hauptstraße 5", "30159", "Hannover", "", "Eva Funke", "Prokuristin", "eva@funke.de"],
    ["Friseursalon Schnitt", "", "38100", "Braunschweig", "", "", "", ""],
]


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def _org(name):
    db.session.expire_all()
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


def test_commit_creates_companies_contacts_tokens_history_and_audit(manager_client, manager):
    batch = do_import(manager_client, csv_bytes([HEADER, *ROWS]), "kammerliste.csv")
    assert batch.status.value == "committed"
    assert batch.counts["created"] == 3 and batch.counts["contacts"] == 3 and batch.counts["linked"] == 0
    funke = _org("Metallbau Funke")
    assert funke.import_batch_id == batch.id and funke.version == 1 and funke.created_by_id == manager.id
    assert funke.name_key == "metallbau funke" and funke.stage.value == "lead"
    holz = _org("Tischlerei Holzwurm GmbH")
    assert holz.website_domain == "holzwurm.de"
    people = sorted(c.first_name for c in funke.contacts)
    assert people == ["Eva", "Max"]  # the repeated row added its person to the same company
    contact = next(c for c in funke.contacts if c.first_name == "Max")
    assert contact.salutation.value == "herr" and contact.function == "Geschäftsführer"
    assert contact.data_source == f"Import kammerliste.csv vom {date.today():%d.%m.%Y}"
    assert contact.import_batch_id == batch.id and contact.marketing_blocked is False
    assert contact.email_consent is False  # an import never makes marketing contacts
    assert _count(StageChange, StageChange.organisation_id == funke.id) == 1
    tokens = set(
        db.session.scalars(
            sa.select(OrganisationSearchToken.token).where(
                OrganisationSearchToken.organisation_id == funke.id
            )
        )
    )
    assert {"metallbau", "funke", "hannover", "eva", "max"} <= tokens
    names = manager_client.get("/organisations/?q=eva%20funke").get_data(as_text=True)
    assert "Metallbau Funke" in names
    actions = [
        a
        for (a,) in db.session.execute(
            sa.select(AuditEntry.action).where(
                AuditEntry.action.in_(["import_committed", "organisation_created", "contact_created"])
            )
        )
    ]
    assert actions.count("import_committed") == 1
    assert actions.count("organisation_created") == 3 and actions.count("contact_created") == 3
    page = manager_client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Metallbau Funke" in page and "Import rückgängig machen" in page


def test_xlsx_import(manager_client):
    batch = do_import(manager_client, xlsx_bytes([HEADER, *ROWS]), "liste.xlsx")
    assert batch.counts["created"] == 3


def test_all_or_nothing_writes_nothing_when_a_middle_row_is_wrong(manager_client):
    rows = [ROWS[0], ["Kaputt GmbH", "", "301", "Celle", "", "", "", ""], ROWS[3]]
    batch = prepare(manager_client, csv_bytes([HEADER, *rows]))
    response = commit(manager_client, batch, "all")
    assert response.status_code == 302 and response.headers["Location"].endswith("/preview")
    page = manager_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 Zeilen sind fehlerhaft. Es wurde nichts importiert" in page
    assert _count(Organisation) == 0 and _count(ContactPerson) == 0
    assert latest_batch().status.value == "checked"


def test_a_failure_in_the_middle_of_writing_rolls_everything_back(manager_client, monkeypatch):
    monkeypatch.setattr(commit_module, "CHUNK", 1)  # one row per chunk: the second chunk fails
    original = commit_module.Writer._add_contacts
    calls = []

    def failing(self, chunk, targets):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return original(self, chunk, targets)

    monkeypatch.setattr(commit_module.Writer, "_add_contacts", failing)
    batch = prepare(manager_client, csv_bytes([HEADER, *ROWS]))
    response = commit(manager_client, batch, "all")
    assert response.status_code == 500
    assert len(calls) == 2
    assert _count(Organisation) == 0 and _count(ContactPerson) == 0 and _count(StageChange) == 0
    assert _count(AuditEntry, AuditEntry.action == "organisation_created") == 0
    assert latest_batch().status.value == "checked"


def test_valid_rows_mode_imports_the_rest_and_offers_the_error_report(manager_client):
    rows = [ROWS[0], ["Kaputt GmbH", "", "301", "Celle", "", "", "", ""], ROWS[3]]
    batch = do_import(manager_client, csv_bytes([HEADER, *rows]), mode="valid")
    assert batch.counts["created"] == 2 and batch.counts["errors"] == 1
    assert _org("Kaputt GmbH") is None
    page = manager_client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert f"/imports/{batch.id}/errors.csv" in page
    report = manager_client.get(f"/imports/{batch.id}/errors.csv").get_data(as_text=True)
    assert "Kaputt GmbH" in report and "Postleitzahl" in report and "Holzwurm" not in report


def test_duplicate_classes_and_decisions(manager_client):
    linked = OrganisationFactory(
        name="Tischlerei Holzwurm", postcode="29221", city="Celle", website=None, street=None
    )
    other = OrganisationFactory(name="Friseursalon Schnitt", postcode="38100", city="Braunschweig")
    batch = prepare(manager_client, csv_bytes([HEADER, *ROWS]))
    rows = {
        r.row_number: r
        for r in db.session.scalars(sa.select(ImportRow).where(ImportRow.batch_id == batch.id))
    }
    assert (rows[2].status.value, rows[2].match_organisation_id, rows[2].match_reasons) == (
        "match",
        linked.id,
        "name_postcode",
    )
    assert (rows[3].status.value, rows[4].status.value, rows[4].duplicate_of_row) == ("new", "duplicate", 3)
    assert rows[5].match_organisation_id == other.id
    # create the salon anyway, link the carpenter
    response = post(
        manager_client,
        f"/imports/{batch.id}/decisions",
        {
            "rows": f"{rows[2].id},{rows[4].id},{rows[5].id}",
            f"d_{rows[2].id}": "link",
            f"d_{rows[4].id}": "link",
            f"d_{rows[5].id}": "create",
        },
        form_page=f"/imports/{batch.id}/preview",
    )
    assert response.status_code == 302
    version = linked.version
    commit(manager_client, batch)
    batch = latest_batch()
    assert batch.counts["created"] == 2 and batch.counts["linked"] == 1
    assert _count(Organisation, Organisation.name == "Friseursalon Schnitt") == 2
    linked = _org("Tischlerei Holzwurm")
    assert linked.website == "www.holzwurm.de" and linked.street == "Am Hafen 1"  # empty fields filled
    assert linked.website_domain == "holzwurm.de" and linked.version == version + 1
    assert [c.last_name for c in linked.contacts] == ["Heide"]
    link = db.session.scalar(sa.select(ImportLink).where(ImportLink.batch_id == batch.id))
    assert link.filled["website"] == [None, "www.holzwurm.de"] and link.contacts_added == 1


def test_all_matches_can_be_set_at_once(manager_client):
    OrganisationFactory(name="Tischlerei Holzwurm", postcode="29221", city="Celle")
    batch = prepare(manager_client, csv_bytes([HEADER, *ROWS]))
    post(
        manager_client,
        f"/imports/{batch.id}/decisions",
        {"rows": "", "apply_all": "create"},
        form_page=f"/imports/{batch.id}/preview",
    )
    commit(manager_client, batch)
    assert latest_batch().counts["created"] == 4  # the in-file duplicate was created separately too


def test_reimporting_the_same_file_creates_no_duplicates(manager_client):
    data = csv_bytes([HEADER, *ROWS])
    do_import(manager_client, data)
    before = (_count(Organisation), _count(ContactPerson))
    second = do_import(manager_client, data)
    assert (_count(Organisation), _count(ContactPerson)) == before
    assert second.counts["created"] == 0 and second.counts["contacts"] == 0
    assert second.counts["contacts_skipped"] == 3 and second.counts["linked"] == 3


def test_marketing_block_is_respected(manager_client):
    suppress("Anna@Holzwurm.de", "Widerspruch per Brief")
    data = csv_bytes([[*HEADER, "Werbesperre"], [*ROWS[0], ""], [*ROWS[1], "ja"]])
    batch = prepare(manager_client, data)
    preview = manager_client.get(f"/imports/{batch.id}/preview?show=blocked").get_data(as_text=True)
    assert "Tischlerei Holzwurm" in preview and "Metallbau" not in preview
    assert "wird nicht als Werbekontakt importiert" in preview
    commit(manager_client, batch)
    db.session.expire_all()
    anna = db.session.scalar(sa.select(ContactPerson).where(ContactPerson.email == "anna@holzwurm.de"))
    assert (
        anna.marketing_blocked is True
        and anna.marketing_blocked_on == date.today()
        and not anna.email_consent
    )
    max_ = db.session.scalar(sa.select(ContactPerson).where(ContactPerson.email == "max@funke.de"))
    assert max_.marketing_blocked is True
    assert is_suppressed("max@funke.de")  # the objection in the file now sticks for later imports
    assert latest_batch().counts["blocked"] == 2


def test_undo_removes_everything_and_restores_filled_fields(manager_client):
    linked = OrganisationFactory(name="Tischlerei Holzwurm", postcode="29221", city="Celle", website=None)
    ContactPersonFactory(organisation=linked, first_name="Otto", last_name="Alt")
    before = (_count(Organisation), _count(ContactPerson), _count(StageChange))
    batch = do_import(manager_client, csv_bytes([HEADER, *ROWS]))
    assert _org("Tischlerei Holzwurm").website == "www.holzwurm.de"
    response = post(manager_client, f"/imports/{batch.id}/undo", {}, form_page=f"/imports/{batch.id}")
    assert response.status_code == 302
    assert (_count(Organisation), _count(ContactPerson), _count(StageChange)) == before
    linked = _org("Tischlerei Holzwurm")
    assert linked.website is None and linked.website_domain is None
    assert [c.last_name for c in linked.contacts] == ["Alt"]
    tokens = set(
        db.session.scalars(
            sa.select(OrganisationSearchToken.token).where(
                OrganisationSearchToken.organisation_id == linked.id
            )
        )
    )
    assert "heide" not in tokens and "alt" in tokens
    batch = latest_batch()
    assert batch.status.value == "undone"
    assert _count(AuditEntry, AuditEntry.action == "import_undone") == 1
    # undone twice is refused
    page = post(manager_client, f"/imports/{batch.id}/undo", {}, form_page="/imports/", follow_redirects=True)
    assert "rückgängig gemacht" in page.get_data(as_text=True)


def _edit(org, user):
    from crm.organisations import services

    data = {name: getattr(org, name) for name in services.FIELDS}
    data["notes"] = "Nach dem Import angerufen"
    services.update_organisation(org, data, expected_version=org.version, actor=user)


def test_undo_is_blocked_by_later_changes_and_names_the_records(manager_client, manager):
    batch = do_import(manager_client, csv_bytes([HEADER, *ROWS]))
    _edit(_org("Metallbau Funke"), manager)
    ContactPersonFactory(organisation=_org("Friseursalon Schnitt"), last_name="Neu")
    db.session.flush()
    page = manager_client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "kann nicht rückgängig gemacht werden" in page
    assert "Metallbau Funke" in page and "seit dem Import bearbeitet" in page
    assert "Friseursalon Schnitt" in page and "weitere Ansprechperson" in page
    assert "Tischlerei Holzwurm GmbH</a> –" not in page  # untouched: no blocker
    response = post(manager_client, f"/imports/{batch.id}/undo", {}, form_page=f"/imports/{batch.id}")
    assert response.status_code == 302
    assert _count(Organisation, Organisation.import_batch_id == batch.id) == 3
    assert latest_batch().status.value == "committed"


def test_undo_is_blocked_when_a_filled_company_was_edited(manager_client, manager):
    linked = OrganisationFactory(name="Tischlerei Holzwurm", postcode="29221", city="Celle", website=None)
    batch = do_import(manager_client, csv_bytes([HEADER, ROWS[0]]))
    _edit(_org(linked.name), manager)
    db.session.flush()
    page = manager_client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "ergänztes Unternehmen seit dem Import bearbeitet" in page


def test_undo_only_within_30_days(manager_client):
    batch = do_import(manager_client, csv_bytes([HEADER, ROWS[3]]))
    db.session.execute(
        sa.update(ImportBatch)
        .where(ImportBatch.id == batch.id)
        .values(committed_at=utcnow() - timedelta(days=31))
    )
    page = manager_client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert "Frist von 30 Tagen ist abgelaufen" in page
    post(manager_client, f"/imports/{batch.id}/undo", {}, form_page="/imports/")
    assert _count(Organisation, Organisation.import_batch_id == batch.id) == 1


@pytest.mark.parametrize("mode", ["all", "valid"])
def test_nothing_to_import(manager_client, mode):
    batch = prepare(manager_client, csv_bytes([HEADER, ["", "", "1", "", "", "", "", ""]]))
    response = commit(manager_client, batch, mode)
    assert response.headers["Location"].endswith("/preview")
    assert _count(Organisation) == 0
