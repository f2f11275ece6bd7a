"""Needs analyses (stage move, funding hint, validation) and the admin topic checklist."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm.activities import dates
from crm.activities.models import NeedsAnalysis, NeedsTopic
from crm.activities.vocab import funding_share
from crm.extensions import db
from crm.organisations.models import Organisation, StageChange
from crm.organisations.vocab import Stage
from tests.conftest import post
from tests.factories import OrganisationFactory


def _topics() -> list[NeedsTopic]:
    return list(db.session.scalars(sa.select(NeedsTopic).order_by(NeedsTopic.position)))


def test_default_checklist_exists():
    names = [t.name for t in _topics()]
    assert {"Digitalisierung", "Führung", "Sprachen", "Arbeitssicherheit", "IT-Sicherheit"} <= set(names)


@pytest.mark.parametrize(
    ("employees", "share"), [(None, None), (3, 100), (49.5, 100), (50, 50), (499, 50), (500, 25), (2000, 25)]
)
def test_funding_share_by_headcount(employees, share):
    assert funding_share(employees) == share


@pytest.mark.parametrize(("stage", "expected"), [
    (Stage.LEAD, Stage.NEEDS_ANALYSIS),
    (Stage.CONTACTED, Stage.NEEDS_ANALYSIS),
    (Stage.OFFER, Stage.OFFER),
    (Stage.LOST, Stage.LOST),
])  # fmt: skip
def test_recording_moves_early_stages_only(staff_client, staff, stage, expected):
    org = OrganisationFactory(stage=stage, employees=30)
    digital, languages = _topics()[:2]
    response = post(
        staff_client,
        f"/organisations/{org.id}/needs-analyses/new",
        {
            "conducted_on": dates.local_today().isoformat(),
            "conducted_by_id": staff.id,
            "topic_ids": [digital.id, languages.id],
            "employees_to_train": "4",
            "formats": ["in_house", "blended"],
            "budget_from": "2.000",
            "budget_to": "5.000 €",
            "notes": "Wintermonate",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    analysis = db.session.scalar(sa.select(NeedsAnalysis).where(NeedsAnalysis.organisation_id == org.id))
    assert [t.id for t in analysis.topics] == [digital.id, languages.id]
    assert [f.value for f in analysis.formats] == ["in_house", "blended"]
    assert (analysis.budget_from_cents, analysis.budget_to_cents) == (200_000, 500_000)
    assert db.session.get(Organisation, org.id).stage == expected
    changes = db.session.scalars(sa.select(StageChange).where(StageChange.organisation_id == org.id)).all()
    assert len(changes) == (1 if stage != expected else 0)
    if changes:
        assert changes[0].is_automatic and changes[0].to_stage == Stage.NEEDS_ANALYSIS
    page = staff_client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Bedarfsanalyse" in page and "Wintermonate" in page and "2.000,00" in page


@pytest.mark.parametrize(("employees", "text"), [
    (30, "bis zu 100 % der Lehrgangskosten"),
    (120, "bis zu 50 % der Lehrgangskosten"),
    (800, "bis zu 25 % der Lehrgangskosten"),
    (None, "Die Beschäftigtenzahl ist nicht erfasst"),
])  # fmt: skip
def test_form_shows_the_funding_hint_as_a_hint(staff_client, employees, text):
    org = OrganisationFactory(employees=employees)
    page = staff_client.get(f"/organisations/{org.id}/needs-analyses/new").get_data(as_text=True)
    assert text in page and "keine Rechtsberatung" in page


def test_bad_input_saves_nothing(staff_client):
    org = OrganisationFactory(stage=Stage.LEAD)
    inactive = NeedsTopic(name="Alt", position=999, is_active=False)
    db.session.add(inactive)
    db.session.flush()
    cases = [
        ({"budget_from": "9000", "budget_to": "1000"}, "Obergrenze des Budgets liegt unter der Untergrenze"),
        (
            {"conducted_on": (dates.local_today() + timedelta(days=3)).isoformat()},
            "Das Datum liegt in der Zukunft.",
        ),
        ({"conducted_on": "2001-01-01"}, "mehr als 10 Jahre zurück"),
        ({"topic_ids": [inactive.id]}, "Bitte nur Themen aus der Liste wählen."),
        ({"employees_to_train": "-3"}, "Bitte eine Zahl ab 0 eingeben."),
    ]
    for data, message in cases:
        response = post(staff_client, f"/organisations/{org.id}/needs-analyses/new", data)
        assert message in response.get_data(as_text=True), message
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NeedsAnalysis)) == 0
    assert db.session.get(Organisation, org.id).stage == Stage.LEAD


def test_archived_company_gets_no_needs_analysis(staff_client):
    org = OrganisationFactory(is_archived=True)
    assert staff_client.get(f"/organisations/{org.id}/needs-analyses/new").status_code == 404


def test_admin_manages_the_checklist(admin_client):
    response = post(
        admin_client, "/admin/needs-topics/new", {"name": "Nachhaltigkeit"}, form_page="/admin/needs-topics/"
    )
    assert response.status_code == 302
    topic = db.session.scalar(sa.select(NeedsTopic).where(NeedsTopic.name == "Nachhaltigkeit"))
    duplicate = post(
        admin_client, "/admin/needs-topics/new", {"name": "nachhaltigkeit"}, form_page="/admin/needs-topics/"
    )
    assert duplicate.status_code == 400 and "Dieses Thema gibt es schon." in duplicate.get_data(as_text=True)
    post(
        admin_client,
        f"/admin/needs-topics/{topic.id}/edit",
        {"name": "Nachhaltigkeit / ESG", "position": "5"},
        form_page="/admin/needs-topics/",
    )
    post(admin_client, f"/admin/needs-topics/{topic.id}/deactivate", form_page="/admin/needs-topics/")
    db.session.expire_all()
    topic = db.session.get(NeedsTopic, topic.id)
    assert (topic.name, topic.position, topic.is_active) == ("Nachhaltigkeit / ESG", 5, False)
    org = OrganisationFactory()
    form = admin_client.get(f"/organisations/{org.id}/needs-analyses/new").get_data(as_text=True)
    assert "Nachhaltigkeit / ESG" not in form and "Digitalisierung" in form


def test_only_admins_manage_the_checklist(manager_client):
    assert manager_client.get("/admin/needs-topics/").status_code == 403
    assert post(manager_client, "/admin/needs-topics/new", {"name": "X"}, form_page="/").status_code == 403
