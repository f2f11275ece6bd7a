"""The transaction edge, through the real session and database: commit on success, rollback on every failure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from sqlalchemy.orm.exc import StaleDataError

from crm.audit.models import AuditEntry
from crm.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from crm.core.forms import ConfirmForm
from crm.core.transaction import transaction, unit_of_work
from crm.extensions import db
from crm.organisations.models import Organisation
from tests.factories import OrganisationFactory

ROOT = Path(__file__).resolve().parents[2]


def _stored_name(org_id: int) -> str | None:
    """The name as the database has it (not the session's copy)."""
    return db.session.execute(sa.select(Organisation.name).where(Organisation.id == org_id)).scalar()


def _rename_behind_the_session(org: Organisation) -> None:
    """Someone else saves the company: the row's version moves on, the loaded object keeps the old one."""
    db.session.execute(
        sa.update(Organisation)
        .where(Organisation.id == org.id)
        .values(version=Organisation.version + 1)
        .execution_options(synchronize_session=False)
    )


def _denials() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "permission_denied")
    )


@pytest.fixture
def org(app):
    org = OrganisationFactory(name="Vorher GmbH")
    db.session.commit()  # the starting point every failure must return to
    return org


def test_success_commits(app, org):
    with app.test_request_context(), transaction() as outcome:
        org.name = "Nachher GmbH"
    assert outcome.ok and not outcome.conflict
    db.session.rollback()  # would undo anything not committed
    assert _stored_name(org.id) == "Nachher GmbH"


def test_unit_of_work_commits(app, org):
    with unit_of_work():
        org.name = "Nachher GmbH"
    db.session.rollback()
    assert _stored_name(org.id) == "Nachher GmbH"


@pytest.mark.parametrize(
    "error",
    [
        DomainError("Regel verletzt"),
        ValidationFailed({"name": ["Bitte einen Namen angeben."]}),
        Conflict("Inzwischen geändert"),
        PermissionDenied("Nicht erlaubt"),
    ],
    ids=["domain-error", "validation", "conflict", "permission-denied"],
)
def test_domain_errors_roll_back_and_become_the_outcome(app, org, error):
    with app.test_request_context(), transaction() as outcome:
        org.name = "Halb gespeichert"
        db.session.flush()
        raise error
    assert outcome.error is error and not outcome.ok
    assert outcome.conflict is isinstance(error, Conflict)
    assert _stored_name(org.id) == "Vorher GmbH"


def test_stale_data_error_rolls_back_and_is_a_conflict(app, org):
    _rename_behind_the_session(org)
    with app.test_request_context(), transaction() as outcome:
        org.name = "Meine Fassung"
        db.session.flush()  # UPDATE … WHERE version = <old>: no row, StaleDataError
    assert outcome.conflict and isinstance(outcome.error, Conflict)
    assert _stored_name(org.id) == "Vorher GmbH"


def test_stale_data_error_at_commit_time_rolls_back_too(app, org):
    _rename_behind_the_session(org)
    with app.test_request_context(), transaction() as outcome:
        org.name = "Meine Fassung"  # flushed by the commit itself
    assert outcome.conflict
    assert _stored_name(org.id) == "Vorher GmbH"


def test_unit_of_work_rolls_back_and_reraises_stale_data(org):
    _rename_behind_the_session(org)
    with pytest.raises(StaleDataError), unit_of_work():
        org.name = "Meine Fassung"
    assert _stored_name(org.id) == "Vorher GmbH"


@pytest.mark.parametrize("edge", ["transaction", "unit_of_work"])
def test_any_other_exception_rolls_back_and_propagates(app, org, edge):
    edge_of_work = transaction() if edge == "transaction" else unit_of_work()
    with app.test_request_context(), pytest.raises(KeyError), edge_of_work:
        org.name = "Halb gespeichert"
        db.session.flush()
        raise KeyError("kaputt")
    assert _stored_name(org.id) == "Vorher GmbH"


def test_unit_of_work_lets_domain_errors_through_after_rollback(org):
    with pytest.raises(PermissionDenied), unit_of_work():
        org.name = "Halb gespeichert"
        raise PermissionDenied("Nicht erlaubt")
    assert _stored_name(org.id) == "Vorher GmbH"


def test_a_denial_is_audited_in_its_own_commit_while_the_work_is_undone(app, org):
    before = _denials()
    with app.test_request_context("/organisations/1/restore", method="POST"), transaction():
        org.name = "Halb gespeichert"
        raise PermissionDenied("Sie dürfen dieses Unternehmen nicht wiederherstellen.")
    db.session.rollback()  # the denial survives: it was committed
    assert _denials() == before + 1 and _stored_name(org.id) == "Vorher GmbH"
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.details == {
        "method": "POST",
        "path": "/organisations/1/restore",
        "reason": "Sie dürfen dieses Unternehmen nicht wiederherstellen.",
    }


def test_messages_go_onto_the_form_or_into_flashes(app, org):
    with app.test_request_context(method="POST"):
        form = ConfirmForm(meta={"csrf": False})
        with transaction(form):
            raise ValidationFailed({"": ["Oben anzeigen"]})
        with transaction():
            raise DomainError("Als Meldung")
        with transaction(conflict="Eigener Hinweis"):
            raise Conflict("Vom Dienst")
        with transaction(handles=(Conflict,)) as outcome:
            raise Conflict("Zeigt die Seite selbst")
        assert outcome.conflict
        assert get_flashed_messages(with_categories=True) == [
            ("danger", "Oben anzeigen"),
            ("danger", "Als Meldung"),
            ("warning", "Eigener Hinweis"),
        ]


# --- no view writes its own commit or rollback -------------------------------------------------

EDGE = {"crm/core/transaction.py", "crm/core/errorpages.py"}
DOMAIN_ERRORS = {
    "DomainError",
    "ValidationFailed",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "StaleDataError",
}


def _offences(path: Path) -> list[str]:
    """Hand-written commits/rollbacks anywhere; caught domain errors in modules with routes."""
    source = path.read_text()
    routes = "Blueprint(" in source or "@bp." in source
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")
            and "session" in ast.unparse(node.func.value)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node.func)}()")
        if routes and isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = {n.id if isinstance(n, ast.Name) else getattr(n, "attr", "") for n in ast.walk(node.type)}
            if names & DOMAIN_ERRORS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} except {ast.unparse(node.type)}")
    return found


def test_only_the_transaction_edge_commits_rolls_back_or_catches_domain_errors():
    """A forgotten rollback is impossible when no module but the edge writes one."""
    paths = [p for p in sorted((ROOT / "crm").rglob("*.py")) if str(p.relative_to(ROOT)) not in EDGE]
    offences = [offence for path in paths for offence in _offences(path)]
    assert offences == [], "use crm.core.transaction instead:\n" + "\n".join(offences)
