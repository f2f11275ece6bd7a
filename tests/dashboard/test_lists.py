"""The lists behind the dashboard's numbers: contacts list, drill-down filters, follow-ups by company filters."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import login
from tests.dashboard.dataset import build


@pytest.fixture
def data(monkeypatch: pytest.MonkeyPatch, manager: Any) -> Any:
    return build(monkeypatch, manager)


def shown(client: Any, path: str) -> int:
    response = client.get(path)
    assert response.status_code == 200, path
    return int(re.search(r'role="status"><strong>([\d.]+) ', response.get_data(as_text=True)).group(1))


def test_contact_list_filters(client: Any, data: Any) -> None:
    assert login(client, data.manager).status_code == 302
    assert shown(client, "/activities/") == 8  # nine logged, one with the archived company
    assert shown(client, f"/activities/?user={data.anna.id}") == 6
    assert shown(client, f"/activities/?user={data.bert.id}&kind=visit") == 1
    assert shown(client, "/activities/?from=2026-11-23&to=2026-11-29") == 2  # Berlin week 48
    assert shown(client, "/activities/?from=2026-11-16&to=2026-11-22") == 1
    assert shown(client, "/activities/?kind=call&from=2025-12-01&to=2025-12-31") == 1
    assert shown(client, "/activities/?region=Celle") == 2
    assert shown(client, "/activities/?door_opener_kind=bank") == 6  # o1 and o3
    page = client.get("/activities/?region=Celle").get_data(as_text=True)
    assert "Zwei KG" in page and "Eins GmbH" not in page and "Vier AG" not in page


def test_staff_sees_contacts_of_visible_companies(client: Any, data: Any) -> None:
    assert login(client, data.bert).status_code == 302
    assert shown(client, "/activities/?user=me") == 2


@pytest.mark.parametrize(
    "query", ["user=x", "kind=zoo", "from=2026-13-01", "from=2026-11-10&to=2026-11-01", "region=&sort=nope"]
)
def test_contact_list_bad_parameters_are_400(client: Any, data: Any, query: str) -> None:
    assert login(client, data.manager).status_code == 302
    assert client.get(f"/activities/?{query}").status_code == 400


def test_company_list_drill_down_filters(client: Any, data: Any) -> None:
    assert login(client, data.manager).status_code == 302
    span = "reached_from=2025-12-01&reached_to=2026-11-30"
    assert shown(client, f"/organisations/?reached=lead&{span}") == 3
    assert shown(client, f"/organisations/?reached=needs_analysis&{span}") == 2
    assert shown(client, f"/organisations/?reached=customer&{span}") == 1
    assert shown(client, "/organisations/?first_contact_from=2026-01-01&first_contact_to=2026-01-31") == 1
    d1 = data.door_openers["d1"].id
    assert (
        shown(
            client, f"/organisations/?introduced_by={d1}&introduced_from=2025-12-01&introduced_to=2026-11-30"
        )
        == 2
    )
    assert (
        shown(
            client,
            f"/organisations/?introduced_by={d1}&introduced_from=2025-12-01&introduced_to=2026-11-30&won=yes",
        )
        == 1
    )
    page = client.get(f"/organisations/?reached=customer&{span}").get_data(as_text=True)
    assert "Aus dem Dashboard eingeschränkt" in page
    assert 'name="reached" value="customer"' in page


@pytest.mark.parametrize(
    "query",
    [
        "reached=customer",
        "reached=dormant&reached_from=2026-01-01&reached_to=2026-02-01",
        "reached=lead&reached_from=2026-02-01&reached_to=2026-01-01",
        "first_contact_from=2026-01-01",
        "first_contact_from=gestern&first_contact_to=2026-01-01",
        "won=no",
    ],
)
def test_company_list_bad_drill_down_parameters_are_400(client: Any, data: Any, query: str) -> None:
    assert login(client, data.manager).status_code == 302
    assert client.get(f"/organisations/?{query}").status_code == 400


def test_follow_ups_by_company_filters(client: Any, data: Any) -> None:
    assert login(client, data.manager).status_code == 302
    page = client.get(f"/follow-ups/?assignee={data.anna.id}&group=overdue&region=Celle").get_data(
        as_text=True
    )
    assert re.search(r'<span class="badge text-bg-light">0</span>', page)
    assert "Nur Wiedervorlagen zu Unternehmen" in page
    page = client.get(f"/follow-ups/?assignee={data.anna.id}&region=Hannover").get_data(as_text=True)
    assert "Eins GmbH" in page


def test_memberships_by_start(client: Any, data: Any) -> None:
    assert login(client, data.manager).status_code == 302
    assert shown(client, "/memberships/?status=all&started_from=2026-01-01&started_to=2026-03-31") == 1
    assert shown(client, "/memberships/?status=all") == 3  # the archived company's is hidden
    assert client.get("/memberships/?started_from=1.1.2026").status_code == 400
