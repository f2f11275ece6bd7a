"""Every permission denial is audited — a 403 page as well as a refusal answered with a flash and a redirect.

Parametrised over the whole URL map: a staff member calls every route with real ids (records owned
by somebody else). Whenever a ``PermissionDenied`` was raised or the answer is a 403, a
``permission_denied`` entry must exist afterwards — and none where nothing was denied.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from crm import create_app
from crm.activities.vocab import ActivityKind
from crm.audit.models import AuditEntry
from crm.core import errors
from crm.core.db import utcnow
from crm.dooropeners.models import DoorOpenerContact, Event, EventAttendance
from crm.extensions import db
from crm.memberships.models import Fee
from tests import factories
from tests.conftest import csrf_token

_RULES = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "-", "CRM_ENV": "testing"}).url_map
ROUTES = sorted(
    (rule.endpoint, rule.rule, "GET" if "GET" in (rule.methods or ()) else "POST")
    for rule in _RULES.iter_rules()
    if rule.endpoint != "static"
)
# The denials answered with a flash and a redirect, which the 403 error page never saw (issue 14).
REDIRECTED = [
    "organisations.restore",
    "dooropeners.archive",
    "dooropeners.restore",
    "dooropeners.introduction_delete",
    "dooropeners.contact_delete",
    "events.attendee_delete",
]


@pytest.fixture
def world(manager) -> dict[str, Any]:
    """One record of each kind, owned and created by a manager, not by the staff member calling."""
    org = factories.OrganisationFactory(owner=manager)
    door_opener = factories.DoorOpenerFactory(owner=manager)
    introduction = factories.IntroductionFactory(door_opener=door_opener, organisation=org)
    contact = factories.ContactPersonFactory(organisation=org)
    event = Event(title="Frühstück", held_on=date(2026, 1, 10), created_by_id=manager.id)
    db.session.add(event)
    db.session.flush()
    attendance = EventAttendance(event_id=event.id, organisation_id=org.id, created_by_id=manager.id)
    talk = DoorOpenerContact(
        door_opener_id=door_opener.id,
        kind=ActivityKind.CALL,
        occurred_at=utcnow(),
        user_id=manager.id,
        subject="Abstimmung",
    )
    db.session.add_all([attendance, talk])
    membership = factories.MembershipFactory(organisation=org)
    factories.FeeScheduleFactory(year=2026)
    db.session.flush()
    fee = Fee(
        membership_id=membership.id,
        organisation_id=org.id,
        year=2026,
        kind=membership.kind,
        size_class=org.size_class,
        pro_rata="none",
        months=12,
        full_amount_cents=10000,
        amount_cents=10000,
        due_on=date(2026, 3, 1),
        payment_method=membership.payment_method,
    )
    db.session.add(fee)
    db.session.flush()
    return {
        "org_id": org.id,
        "door_opener_id": door_opener.id,
        "introduction_id": introduction.id,
        "contact_id": contact.id,
        "event_id": event.id,
        "attendance_id": attendance.id,
        "activity_id": factories.ActivityFactory(organisation=org, user=manager).id,
        "follow_up_id": factories.FollowUpFactory(organisation=org, assignee=manager).id,
        "offer_id": factories.OfferFactory(organisation=org, owner=manager).id,
        "group_id": factories.CompanyGroupFactory().id,
        "membership_id": membership.id,
        "sponsorship_id": factories.SponsorshipFactory(organisation=org).id,
        "fee_id": fee.id,
        "user_id": manager.id,
        "year": 2026,
        "batch_id": 1,
        "topic_id": 1,
        "action": "activate",
        "token": "unbekannt",
        "name": "stages",
        "door_opener_contact_id": talk.id,
    }


def _url(rule: str, endpoint: str, world: dict[str, Any]) -> str:
    values = dict(world)
    if endpoint == "dooropeners.contact_delete":  # a door-opener's contact, not a contact person
        values["contact_id"] = world["door_opener_contact_id"]
    path = rule
    for name, value in values.items():
        for converter in ("int:", "any(activate, deactivate):", ""):
            path = path.replace(f"<{converter}{name}>", str(value))
    assert "<" not in path, f"no test value for a parameter of {rule}"
    return path


def _denial_entries() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "permission_denied")
    )


@pytest.fixture
def raised(monkeypatch) -> list[str]:
    """The messages of every PermissionDenied raised while the test runs."""
    messages: list[str] = []
    original = errors.PermissionDenied.__init__

    def counting(self, message: str, **kwargs: Any) -> None:
        messages.append(message)
        original(self, message, **kwargs)

    monkeypatch.setattr(errors.PermissionDenied, "__init__", counting)
    return messages


def _call(client, method: str, path: str):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(client, "/")})


@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES, ids=[r[0] for r in ROUTES])
def test_every_denial_is_audited(staff_client, world, raised, endpoint, rule, method):
    path = _url(rule, endpoint, world)
    before = _denial_entries()
    response = _call(staff_client, method, path)
    db.session.expire_all()
    added = _denial_entries() - before
    denied = bool(raised) or response.status_code == 403
    assert response.status_code < 500, (endpoint, response.status_code)
    assert (added > 0) == denied, (endpoint, response.status_code, raised, added)


@pytest.mark.parametrize("endpoint", REDIRECTED)
def test_denials_answered_with_a_redirect_are_audited_with_the_reason(staff_client, world, raised, endpoint):
    rule = next(r for e, r, _m in ROUTES if e == endpoint)
    path = _url(rule, endpoint, world)
    response = _call(staff_client, "POST", path)
    assert response.status_code == 302 and raised, "the refusal is a flash and a redirect"
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "permission_denied").order_by(AuditEntry.id.desc())
    ).first()
    assert entry is not None and entry.details["path"] == path and entry.details["reason"] == raised[-1]
