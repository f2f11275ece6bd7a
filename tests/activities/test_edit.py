"""Editing and deleting logged contacts: who may, for how long, audit, optimistic locking."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm.activities import dates
from crm.activities.models import Activity
from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.organisations.models import Organisation
from tests.conftest import post
from tests.factories import ActivityFactory, ContactPersonFactory, OrganisationFactory, UserFactory


def _form(activity, **overrides):
    data = {
        "kind": activity.kind.value,
        "subject": activity.subject,
        "occurred_at": dates.local_input(activity.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "version": str(activity.version),
    }
    data.update(overrides)
    return data


def _edit(client, activity, **overrides):
    path = f"/activities/{activity.id}/edit"
    return post(client, path, _form(activity, **overrides))


def test_staff_edit_own_contact_within_the_window_and_it_is_audited(staff_client, staff):
    activity = ActivityFactory(user=staff, subject="Anruf")
    response = _edit(staff_client, activity, subject="Anruf bei der Chefin", notes="Rückruf morgen")
    assert response.status_code == 302
    db.session.expire_all()
    activity = db.session.get(Activity, activity.id)
    assert activity.subject == "Anruf bei der Chefin" and activity.version == 2
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "activity_updated"))
    assert entry.entity_id == activity.id and entry.actor_id == staff.id
    assert entry.changes["subject"] == ["Anruf", "Anruf bei der Chefin"]


def test_staff_cannot_edit_after_the_window(staff_client, staff):
    activity = ActivityFactory(user=staff, created_at=dates.now() - timedelta(days=15))
    assert staff_client.get(f"/activities/{activity.id}/edit").status_code == 403
    assert _edit(staff_client, activity, subject="zu spät").status_code == 403
    assert post(staff_client, f"/activities/{activity.id}/delete", form_page="/").status_code == 403


def test_the_window_is_configurable(app, staff_client, staff):
    activity = ActivityFactory(user=staff, created_at=dates.now() - timedelta(days=15))
    app.config["CRM_ACTIVITY_EDIT_DAYS"] = 30
    try:
        assert staff_client.get(f"/activities/{activity.id}/edit").status_code == 200
    finally:
        app.config["CRM_ACTIVITY_EDIT_DAYS"] = 14


def test_staff_cannot_edit_or_delete_someone_elses_contact(staff_client):
    activity = ActivityFactory(user=UserFactory())
    assert staff_client.get(f"/activities/{activity.id}/edit").status_code == 403
    assert _edit(staff_client, activity, subject="fremd").status_code == 403
    assert post(staff_client, f"/activities/{activity.id}/delete", form_page="/").status_code == 403
    page = staff_client.get(f"/organisations/{activity.organisation_id}").get_data(as_text=True)
    assert f"/activities/{activity.id}/edit" not in page
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).subject != "fremd"


def test_managers_edit_any_contact_any_time(manager_client):
    activity = ActivityFactory(user=UserFactory(), created_at=dates.now() - timedelta(days=400))
    page = manager_client.get(f"/organisations/{activity.organisation_id}").get_data(as_text=True)
    assert f"/activities/{activity.id}/edit" in page
    assert _edit(manager_client, activity, subject="korrigiert").status_code == 302


def test_contacts_of_archived_companies_are_hidden_from_staff(staff_client, staff):
    activity = ActivityFactory(user=staff, organisation=OrganisationFactory(is_archived=True))
    assert staff_client.get(f"/activities/{activity.id}/edit").status_code == 404


def test_delete_own_contact_recomputes_last_contact(staff_client, staff):
    org = OrganisationFactory()
    older = ActivityFactory(organisation=org, user=staff, occurred_at=dates.now() - timedelta(days=10))
    newer = ActivityFactory(organisation=org, user=staff, occurred_at=dates.now() - timedelta(days=1))
    org.last_contact_at = newer.occurred_at
    db.session.flush()
    newer_id, subject, older_at = newer.id, newer.subject, older.occurred_at
    response = post(staff_client, f"/activities/{newer.id}/delete", form_page=f"/activities/{newer.id}/edit")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Activity, newer_id) is None
    assert db.session.get(Organisation, org.id).last_contact_at == older_at
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "activity_deleted"))
    assert entry.entity_id == newer_id and entry.details["subject"] == subject


def test_moving_a_contact_in_time_updates_last_contact(staff_client, staff):
    org = OrganisationFactory()
    activity = ActivityFactory(organisation=org, user=staff, occurred_at=dates.now() - timedelta(days=1))
    org.last_contact_at = activity.occurred_at
    db.session.flush()
    earlier = dates.now() - timedelta(days=20)
    _edit(staff_client, activity, occurred_at=dates.local_input(earlier).strftime("%Y-%m-%dT%H:%M"))
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).last_contact_at == earlier.replace(second=0, microsecond=0)


def test_edit_participants_must_belong_to_the_company(staff_client, staff):
    activity = ActivityFactory(user=staff)
    own = ContactPersonFactory(organisation=activity.organisation)
    response = _edit(staff_client, activity, contact_person_ids=[ContactPersonFactory().id])
    assert "gehört nicht zu diesem Unternehmen" in response.get_data(as_text=True)
    assert _edit(staff_client, activity, contact_person_ids=[own.id]).status_code == 302
    db.session.expire_all()
    assert [p.id for p in db.session.get(Activity, activity.id).participants] == [own.id]


def test_concurrent_edit_gets_409_with_both_versions(staff_client, staff):
    activity = ActivityFactory(user=staff, subject="Original")
    stale = _form(activity, subject="Meine Fassung")
    activity.subject = "Fassung der Kollegin"
    db.session.flush()
    assert activity.version == 2
    response = post(staff_client, f"/activities/{activity.id}/edit", stale)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Fassung der Kollegin" in page and "Meine Fassung" in page
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).subject == "Fassung der Kollegin"


@pytest.mark.parametrize("path", ["/activities/999999/edit"])
def test_unknown_contact_is_404(staff_client, path):
    assert staff_client.get(path).status_code == 404
