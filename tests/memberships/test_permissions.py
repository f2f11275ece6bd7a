"""Staff see membership status and sponsorships read-only, nothing else, and never bank data."""

from __future__ import annotations

import pytest

from tests.conftest import post
from tests.factories import TEST_BIC, TEST_IBAN, FeeScheduleFactory, SponsorshipFactory
from tests.memberships.helpers import make_fee

MANAGER_GETS = [
    "/memberships/",
    "/fees/",
    "/fees/2026/",
    "/fees/2026/run",
    "/fees/2026/sepa",
    "/fees/2026/sepa.xml",
    "/fees/2026/export.csv",
    "/fees/2026/export.xlsx",
    "/fees/2026/{fee}",
    "/memberships/{membership}/edit",
    "/memberships/{membership}/cancel",
    "/organisations/{org}/memberships/new",
    "/sponsorships/",
    "/sponsorships/export.csv",
    "/sponsorships/export.xlsx",
    "/sponsorships/new/{org}",
    "/sponsorships/{sponsorship}/edit",
]
MANAGER_POSTS = [
    "/fees/2026/paid",
    "/fees/2026/run",
    "/fees/2026/sepa.xml",
    "/fees/2026/{fee}/waive",
    "/fees/2026/{fee}/dunning",
    "/fees/2026/{fee}/returned",
]
ADMIN_PAGES = [
    "/admin/fee-schedules/",
    "/admin/fee-schedules/new",
    "/admin/fee-schedules/2026/edit",
    "/admin/sepa-settings",
]


@pytest.fixture
def records():
    FeeScheduleFactory(year=2026)
    fee = make_fee(sepa=True)
    sponsorship = SponsorshipFactory(organisation=fee.organisation)
    return {
        "fee": fee.id,
        "membership": fee.membership_id,
        "org": fee.organisation_id,
        "sponsorship": sponsorship.id,
    }


def test_staff_cannot_reach_any_of_it(staff_client, records):
    for path in MANAGER_GETS + ADMIN_PAGES:
        assert staff_client.get(path.format(**records)).status_code == 403, path
    for path in MANAGER_POSTS:
        response = post(
            staff_client, path.format(**records), {}, form_page=f"/organisations/{records['org']}"
        )
        assert response.status_code == 403, path


def test_managers_cannot_edit_settings(manager_client, records):
    for path in ADMIN_PAGES:
        assert manager_client.get(path).status_code == 403, path
    for path in MANAGER_GETS:
        assert manager_client.get(path.format(**records)).status_code in (200, 302), path


def test_anonymous_is_sent_to_login(client, records):
    for path in MANAGER_GETS + ADMIN_PAGES:
        response = client.get(path.format(**records))
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_staff_see_status_and_sponsorships_but_no_bank_data(staff_client, records):
    html = staff_client.get(f"/organisations/{records['org']}").get_data(as_text=True)
    assert "Mitglied" in html and "Fachkräftetag" in html
    assert TEST_IBAN not in html and TEST_BIC not in html and "DE89" not in html
    assert "MANDAT-" not in html  # no mandate reference either
    assert "/memberships/" not in html and "/sponsorships/" not in html  # no links to manager pages
    assert "Beiträge" not in html
    nav = staff_client.get("/").get_data(as_text=True)
    assert "Mitgliedschaften" not in nav and "Sponsoring" not in nav


def test_managers_never_see_a_full_iban_in_html(manager_client, records):
    for path in [
        "/memberships/",
        "/fees/2026/",
        "/fees/2026/sepa",
        f"/organisations/{records['org']}",
        "/fees/2026/{fee}".format(**records),
    ]:
        assert TEST_IBAN not in manager_client.get(path).get_data(as_text=True), path


def test_admin_sees_settings_in_nav(admin_client):
    nav = admin_client.get("/").get_data(as_text=True)
    assert "/admin/fee-schedules/" in nav
