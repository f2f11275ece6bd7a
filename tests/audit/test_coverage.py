"""What the audit log must show: logins, failed logins, role changes, exports with filter and rows."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.auth.services import update_user
from crm.extensions import db
from crm.memberships.models import Collection
from crm.memberships.vocab import SepaScheme
from tests import factories
from tests.conftest import login


def _last(action):
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    ).first()


def test_login_and_failed_login_are_logged(client, staff):
    login(client, staff, password="falsch-falsch")
    failed = _last("login_failed")
    assert failed.details["email"] == staff.email and failed.actor_id is None
    login(client, staff)
    assert _last("login").actor_id == staff.id


def test_role_change_is_logged_with_old_and_new_role(admin, staff):
    update_user(staff, name=staff.name, role="manager", actor=admin)
    entry = _last("user_updated")
    assert entry.entity_id == staff.id and entry.changes["role"] == ["staff", "manager"]


def test_sponsorship_export_records_filter_and_rows(manager_client):
    factories.SponsorshipFactory(starts_on=date(2026, 5, 1))
    factories.SponsorshipFactory(starts_on=date(2025, 5, 1))
    manager_client.get("/sponsorships/export.csv?year=2026")
    entry = _last("export")
    assert entry.entity_type == "sponsorships" and entry.details["rows"] == 1
    assert entry.details["filter"] == {"year": ["2026"]}


def test_door_opener_report_download_is_an_export(manager_client):
    door_opener = factories.DoorOpenerFactory()
    assert manager_client.get(f"/door-openers/{door_opener.id}/report.xlsx").status_code == 200
    entry = _last("export")
    assert (
        entry.entity_type == "door_openers" and entry.entity_id == door_opener.id and "rows" in entry.details
    )


def test_downloading_a_stored_sepa_file_is_logged(manager_client):
    collection = Collection(
        year=2026,
        scheme=SepaScheme.CORE,
        collection_date=date(2026, 4, 1),
        message_id="M1",
        filename="lastschrift.xml",
        fee_count=3,
        total_cents=300,
        xml=b"<Document/>",
    )
    db.session.add(collection)
    factories.FeeScheduleFactory(year=2026)
    db.session.flush()
    response = manager_client.get(f"/fees/2026/sepa.xml?collection={collection.id}")
    assert response.status_code == 200
    entry = _last("export")
    assert (
        entry.entity_type == "collections" and entry.details["rows"] == 3 and entry.details["stored"] is True
    )
