"""Logging contacts: quick log, company page entry point, automatic stage change, bad input."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from crm.activities import dates
from crm.activities.models import Activity, FollowUp
from crm.audit.models import AuditEntry
from crm.extensions import db
from crm.organisations.models import Organisation, StageChange
from crm.organisations.vocab import Stage
from tests.conftest import post
from tests.factories import ContactPersonFactory, FollowUpFactory, OrganisationFactory, UserFactory


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _local(value) -> str:
    return dates.local_input(value).strftime("%Y-%m-%dT%H:%M")


def test_a_call_needs_only_kind_company_and_subject(staff_client, staff):
    org = OrganisationFactory(stage=Stage.LEAD)
    response = post(
        staff_client,
        "/activities/new",
        {"organisation_id": org.id, "kind": "call", "subject": "Kurz angerufen"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{org.id}#timeline")
    db.session.expire_all()
    activity = db.session.scalar(sa.select(Activity).where(Activity.organisation_id == org.id))
    assert activity.subject == "Kurz angerufen" and activity.user_id == staff.id
    assert abs(activity.occurred_at - dates.now()) < timedelta(minutes=1)
    org = db.session.get(Organisation, org.id)
    assert org.last_contact_at == activity.occurred_at
    assert org.stage == Stage.CONTACTED
    change = db.session.scalar(sa.select(StageChange).where(StageChange.organisation_id == org.id))
    assert (change.from_stage, change.to_stage, change.is_automatic) == (Stage.LEAD, Stage.CONTACTED, True)
    assert change.changed_by_id == staff.id
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert "activity_created" in actions


def test_only_the_first_contact_of_a_lead_moves_the_stage(staff_client):
    lead = OrganisationFactory(stage=Stage.LEAD)
    for subject in ("Erster Anruf", "Zweiter Anruf"):
        post(staff_client, f"/organisations/{lead.id}/activities/new", {"kind": "call", "subject": subject})
    lost = OrganisationFactory(stage=Stage.LOST)
    offer = OrganisationFactory(stage=Stage.OFFER)
    for org in (lost, offer):
        post(staff_client, f"/organisations/{org.id}/activities/new", {"kind": "visit", "subject": "Besuch"})
    db.session.expire_all()
    assert db.session.get(Organisation, lead.id).stage == Stage.CONTACTED
    assert db.session.get(Organisation, lost.id).stage == Stage.LOST
    assert db.session.get(Organisation, offer.id).stage == Stage.OFFER
    changes = db.session.scalars(sa.select(StageChange.organisation_id)).all()
    assert changes.count(lead.id) == 1 and lost.id not in changes and offer.id not in changes


def test_logging_does_not_bump_the_company_version_or_move_last_contact_back(staff_client):
    org = OrganisationFactory(stage=Stage.CUSTOMER)
    version, updated = org.version, org.updated_at
    now = dates.now()
    post(staff_client, f"/organisations/{org.id}/activities/new", {"kind": "call", "subject": "Heute"})
    older = _local(now - timedelta(days=30))
    post(
        staff_client,
        f"/organisations/{org.id}/activities/new",
        {"kind": "call", "subject": "Nachgetragen", "occurred_at": older},
    )
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.version == version and org.updated_at == updated  # an open edit form stays valid
    assert now - timedelta(minutes=1) < org.last_contact_at < now + timedelta(minutes=1)


def test_visit_with_report_participants_and_follow_up(staff_client, staff):
    org = OrganisationFactory()
    anna = ContactPersonFactory(organisation=org, first_name="Anna", last_name="Albers")
    ContactPersonFactory(organisation=org, first_name="Bernd", last_name="Berg")
    due = dates.local_today() + timedelta(days=7)
    response = post(
        staff_client,
        f"/organisations/{org.id}/activities/new",
        {
            "kind": "visit",
            "subject": "Besuch im Betrieb",
            "occurred_at": _local(dates.now() - timedelta(hours=2)),
            "contact_person_ids": [anna.id],
            "notes": "Gutes Gespräch",
            "outcome": "Angebot erwünscht",
            "next_step": "Angebot schicken",
            "report_participants": "Geschäftsführer, Meister",
            "report_topics": "Digitalisierung",
            "report_impressions": "Sehr interessiert",
            "follow_up_due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    activity = db.session.scalar(sa.select(Activity).where(Activity.organisation_id == org.id))
    assert [p.id for p in activity.participants] == [anna.id]
    assert activity.report_topics == "Digitalisierung"
    follow_up = db.session.scalar(sa.select(FollowUp).where(FollowUp.organisation_id == org.id))
    assert (follow_up.due_on, follow_up.assignee_id, follow_up.activity_id) == (due, staff.id, activity.id)
    assert follow_up.what == "Angebot schicken"  # the next step, when "what" is left empty
    page = staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Besuchsbericht" in page and "Sehr interessiert" in page and "Anna Albers" in page


def test_follow_up_with_only_a_due_date_gets_a_default_text(staff_client):
    org = OrganisationFactory()
    due = dates.local_today() + timedelta(days=1)
    post(
        staff_client,
        f"/organisations/{org.id}/activities/new",
        {"kind": "call", "subject": "Erstgespräch", "follow_up_due_on": due.isoformat()},
    )
    follow_up = db.session.scalar(sa.select(FollowUp).where(FollowUp.organisation_id == org.id))
    assert follow_up.what == "Nachfassen: Erstgespräch"


def test_report_fields_are_dropped_for_a_call(staff_client):
    org = OrganisationFactory()
    post(
        staff_client,
        f"/organisations/{org.id}/activities/new",
        {"kind": "call", "subject": "Anruf", "report_topics": "versehentlich"},
    )
    activity = db.session.scalar(sa.select(Activity).where(Activity.organisation_id == org.id))
    assert activity.report_topics is None


def _rejected(client, org, data, message):
    before = (_count(Activity), _count(FollowUp), _count(StageChange))
    response = post(client, f"/organisations/{org.id}/activities/new", {"kind": "call", **data})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert (_count(Activity), _count(FollowUp), _count(StageChange)) == before  # nothing half-saved
    assert db.session.get(Organisation, org.id).stage == Stage.LEAD


def test_follow_up_without_due_date_is_refused(staff_client):
    org = OrganisationFactory()
    _rejected(
        staff_client,
        org,
        {"subject": "Anruf", "follow_up_what": "Nachfassen"},
        "Bitte ein Fälligkeitsdatum für die Wiedervorlage angeben.",
    )


def test_dates_far_in_the_future_or_past_are_refused(staff_client):
    org = OrganisationFactory()
    tomorrow = _local(dates.now() + timedelta(days=2))
    _rejected(
        staff_client, org, {"subject": "x", "occurred_at": tomorrow}, "Der Kontakt liegt in der Zukunft."
    )
    _rejected(
        staff_client, org, {"subject": "x", "occurred_at": "1999-01-01T10:00"}, "mehr als 10 Jahre zurück"
    )
    _rejected(
        staff_client,
        org,
        {"subject": "x", "follow_up_due_on": "2999-01-01"},
        "mehr als 5 Jahre in der Zukunft",
    )
    _rejected(
        staff_client,
        org,
        {"subject": "x", "follow_up_due_on": (dates.local_today() - timedelta(days=1)).isoformat()},
        "in der Vergangenheit",
    )


def test_contact_person_of_another_company_is_refused(staff_client):
    org = OrganisationFactory()
    stranger = ContactPersonFactory()
    _rejected(
        staff_client,
        org,
        {"subject": "x", "contact_person_ids": [stranger.id]},
        "Diese Ansprechperson gehört nicht zu diesem Unternehmen.",
    )


def test_no_subject_is_refused(staff_client):
    _rejected(staff_client, OrganisationFactory(), {"subject": ""}, "Bitte einen Betreff angeben.")


def test_archived_company(manager_client):
    org = OrganisationFactory(is_archived=True, stage=Stage.LEAD)
    response = post(
        manager_client,
        f"/organisations/{org.id}/activities/new",
        {"kind": "call", "subject": "Anruf"},
    )
    assert "archiviert" in response.get_data(as_text=True)
    assert _count(Activity) == 0


def test_archived_company_in_the_quick_log_of_staff(staff_client):
    org = OrganisationFactory(is_archived=True)
    assert staff_client.get(f"/organisations/{org.id}/activities/new").status_code == 404
    response = post(
        staff_client, "/activities/new", {"organisation_id": org.id, "kind": "call", "subject": "Anruf"}
    )
    assert "gibt es nicht (mehr) oder es ist archiviert" in response.get_data(as_text=True)
    assert _count(Activity) == 0


def test_quick_log_without_company_asks_for_one(staff_client):
    response = post(staff_client, "/activities/new", {"kind": "call", "subject": "Anruf"})
    assert "Bitte ein Unternehmen auswählen." in response.get_data(as_text=True)
    assert _count(Activity) == 0


def test_company_search_works_without_javascript(staff_client):
    hit = OrganisationFactory(name="Tischlerei Holzwurm", city="Celle")
    OrganisationFactory(name="Holzbau Archiv GmbH", is_archived=True)
    OrganisationFactory(name="Bäckerei Korn")
    page = staff_client.get("/activities/new?q=holz").get_data(as_text=True)
    assert "Tischlerei Holzwurm" in page and "Holzbau Archiv" not in page and "Bäckerei" not in page
    assert f'href="/activities/new?organisation_id={hit.id}"' in page
    picked = staff_client.get(f"/activities/new?organisation_id={hit.id}").get_data(as_text=True)
    assert f'name="organisation_id" id="organisation_id" value="{hit.id}"' in picked


def test_company_autocomplete_json_is_scoped(staff_client, client):
    org = OrganisationFactory(name="Tischlerei Holzwurm", city="Celle")
    ContactPersonFactory(organisation=org, first_name="Jörg", last_name="Span")
    OrganisationFactory(name="Holzbau Archiv GmbH", is_archived=True)
    data = staff_client.get("/activities/companies.json?q=holz").get_json()
    assert [r["name"] for r in data["results"]] == ["Tischlerei Holzwurm"]
    assert data["results"][0]["contacts"][0]["name"] == "Jörg Span"
    assert staff_client.get("/activities/companies.json?q=h").get_json() == {"results": []}


def test_autocomplete_needs_login(client):
    assert client.get("/activities/companies.json?q=holz").status_code == 302


def test_phone_form_markup(staff_client):
    """The form is one column with big targets: radio buttons for the kind, a datetime-local field."""
    page = staff_client.get("/activities/new").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'class="log-form mx-auto"' in page
    assert page.count('type="radio"') == 6 and 'class="btn-check"' in page
    assert 'type="datetime-local"' in page and 'value="' + _local(dates.now())[:10] in page
    assert 'class="btn btn-primary btn-lg"' in page and "style=" not in page
    assert "<script>" not in page and "js/activities.js" in page
    css = staff_client.get("/static/css/app.css").get_data(as_text=True)
    assert ".kind-choices { display: grid; grid-template-columns: repeat(3, 1fr)" in css


def test_quick_log_completes_a_follow_up_in_one_step(staff_client, staff):
    follow_up = FollowUpFactory(assignee=staff, what="Rückruf Geschäftsführung")
    page = staff_client.get(f"/activities/new?follow_up={follow_up.id}").get_data(as_text=True)
    assert "Rückruf Geschäftsführung" in page and "als erledigt markiert" in page
    response = post(
        staff_client,
        "/activities/new",
        {"follow_up_id": follow_up.id, "kind": "call", "subject": "Zurückgerufen"},
        form_page=f"/activities/new?follow_up={follow_up.id}",
    )
    assert response.status_code == 302
    db.session.expire_all()
    follow_up = db.session.get(FollowUp, follow_up.id)
    activity = db.session.scalar(sa.select(Activity))
    assert follow_up.done_at is not None and follow_up.done_activity_id == activity.id
    assert follow_up.done_by_id == staff.id and activity.organisation_id == follow_up.organisation_id


def test_cannot_complete_someone_elses_follow_up_by_logging(staff_client):
    other = FollowUpFactory(assignee=UserFactory())
    assert staff_client.get(f"/activities/new?follow_up={other.id}").status_code == 404
