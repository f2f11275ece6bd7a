"""The audit log page: who may read it, filters, paging, permission denials recorded."""

from __future__ import annotations

import sqlalchemy as sa

from crm.audit.models import AuditEntry
from crm.audit.services import record
from crm.extensions import db
from tests.factories import UserFactory


def test_staff_cannot_read_the_log_and_the_denial_is_logged(staff_client, staff):
    assert staff_client.get("/admin/audit/").status_code == 403
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "permission_denied"))
    assert entry.actor_id == staff.id and entry.details["path"] == "/admin/audit/"


def test_manager_reads_filters_and_pages(manager_client, manager):
    other = UserFactory(name="Otto Protokoll")
    for n in range(120):
        record(
            "organisation_updated",
            entity_type="organisations",
            entity_id=n,
            actor=other,
            changes={"city": ["A", f"B{n}"]},
        )
    record("export", entity_type="organisations", actor=manager, details={"rows": 7})
    db.session.flush()
    page = manager_client.get("/admin/audit/?action=organisation_updated").get_data(as_text=True)
    assert "B119" in page and "B69" not in page and "Otto Protokoll" in page and "Ältere" in page
    last_id = db.session.scalar(
        sa.select(sa.func.min(AuditEntry.id))
        .where(AuditEntry.changes.is_not(None))
        .where(AuditEntry.entity_id == 70)
    )
    older = manager_client.get(f"/admin/audit/?action=organisation_updated&before={last_id}").get_data(
        as_text=True
    )
    assert "B69" in older and "B70" not in older and "Neuere" in older
    assert "rows" in manager_client.get(f"/admin/audit/?user={manager.id}&action=export").get_data(
        as_text=True
    )
    page = manager_client.get("/admin/audit/?entity=organisations&entity_id=5").get_data(as_text=True)
    assert "B5<" in page.replace(" ", "") or "B5\n" in page or "→ B5" in page


def test_bad_filters_are_400(manager_client):
    for query in ("action=drop_table", "entity=nope", "since=gestern", "user=x", "before=abc"):
        assert manager_client.get(f"/admin/audit/?{query}").status_code == 400, query


def test_no_route_changes_the_log(app):
    """Append-only: no URL accepts a method that could change or delete audit entries."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
