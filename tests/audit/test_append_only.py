"""The audit log is append-only: nothing updates or deletes entries except the retention prune."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm.audit.guard import AuditLogIsAppendOnly, audit_maintenance
from crm.audit.models import AuditEntry
from crm.audit.services import record
from crm.core.db import utcnow
from crm.extensions import db


@pytest.fixture
def entry(admin):
    made = record("login", entity=admin, actor=admin)
    db.session.flush()
    return made


def test_orm_update_is_refused(entry):
    entry.action = "export"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


def test_orm_delete_is_refused(entry):
    db.session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        lambda: sa.update(AuditEntry).values(action="export"),
        lambda: sa.delete(AuditEntry),
        lambda: sa.update(AuditEntry.__table__).values(details=None),
        lambda: sa.text("DELETE FROM audit_entries"),
        lambda: sa.text("update audit_entries set action = 'x'"),
    ],
    ids=["orm-update", "orm-delete", "core-update", "raw-delete", "raw-update"],
)
def test_bulk_and_raw_changes_are_refused(entry, statement):
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(statement())
    db.session.rollback()


def test_other_tables_and_inserts_are_not_affected(entry, admin):
    record("logout", entity=admin, actor=admin)
    db.session.flush()
    db.session.execute(sa.text("UPDATE users SET name = 'Neu' WHERE id = :id"), {"id": admin.id})


def test_only_the_named_maintenance_kinds_open_the_guard(entry):
    with pytest.raises(ValueError), audit_maintenance("cleanup"):
        pass


def _old(days: int, admin) -> AuditEntry:
    made = record("login", entity=admin, actor=admin)
    made.at = utcnow() - timedelta(days=days)
    return made


def test_prune_cli_deletes_only_old_entries_and_logs_itself(app, admin):
    old, recent = _old(400, admin), _old(10, admin)
    db.session.flush()
    old_id, recent_id = old.id, recent.id
    result = app.test_cli_runner().invoke(args=["crm", "audit-prune", "--older-than-days", "365"])
    assert result.exit_code == 0, result.output
    assert "1 Protokolleinträge gelöscht" in result.output
    db.session.expire_all()
    assert db.session.get(AuditEntry, old_id) is None
    assert db.session.get(AuditEntry, recent_id) is not None
    log = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "audit_pruned")).one()
    assert log.details["removed"] == 1 and log.details["older_than_days"] == 365


def test_prune_uses_the_configured_period_by_default(app, admin):
    old, kept = _old(3000, admin), _old(1000, admin)
    db.session.flush()
    old_id, kept_id = old.id, kept.id
    assert app.config["AUDIT_RETENTION_DAYS"] == 1825
    result = app.test_cli_runner().invoke(args=["crm", "audit-prune"])
    assert "älter als 1825 Tage" in result.output
    db.session.expire_all()
    assert db.session.get(AuditEntry, kept_id) is not None
    assert db.session.get(AuditEntry, old_id) is None


def test_prune_refuses_nonsense(app):
    result = app.test_cli_runner().invoke(args=["crm", "audit-prune", "--older-than-days", "0"])
    assert result.exit_code != 0
