"""The dashboard on a hand-built data set: known answers, drill-downs that agree, scoping, query count."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from crm.dashboard.filters import parse_filters
from crm.dashboard.links import Links
from crm.dashboard.views import builders
from crm.extensions import db
from tests import factories
from tests.conftest import login
from tests.dashboard.dataset import NOW, build

ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
LINK = re.compile(r'<a href="([^"]+)">([^<]*)</a>')


@pytest.fixture
def data(monkeypatch: pytest.MonkeyPatch, manager: Any) -> Any:
    return build(monkeypatch, manager)


def figures(app: Any, manager: Any, query: str = "") -> dict[str, Any]:
    """Every figure for ``query``, built in a request context as ``manager``."""
    with app.test_request_context(f"/dashboard/?{query}"):
        filters = parse_filters()
        links = Links(filters.company_args())
        return {key: build_(filters, manager, links) for key, build_ in builders().items()}


def values(figure: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in figure.table.rows]


def column(figure: Any, index: int) -> dict[Any, Any]:
    return {row[0].value: row[index].value for row in figure.table.rows}


def test_funnel_known_answers(app: Any, data: Any) -> None:
    f = figures(app, data.manager)
    assert column(f["stages"], 1) == {
        "Lead": 1, "Kontaktiert": 1, "Bedarfsanalyse": 0, "Angebot": 1,
        "Kunde": 1, "Partner": 0, "Ruhend": 1, "Verloren": 0,
    }  # fmt: skip
    # o1 went lead → customer, o2 was created and contacted, o3 moved on to offer; o4 is archived.
    assert values(f["conversion"]) == [
        ["Lead", 3, None],
        ["Kontaktiert", 3, 1.0],
        ["Bedarfsanalyse", 2, pytest.approx(2 / 3)],
        ["Angebot", 2, 1.0],
        ["Kunde", 1, 0.5],
        ["Partner", 0, 0.0],
    ]
    region = figures(app, data.manager, "region=Hannover")
    assert column(region["conversion"], 1) == {
        "Lead": 2, "Kontaktiert": 2, "Bedarfsanalyse": 2, "Angebot": 2, "Kunde": 1, "Partner": 0
    }  # fmt: skip


def test_door_openers_known_answers(app: Any, data: Any) -> None:
    f = figures(app, data.manager)
    # IHK: o1 and o2 in the period (o4 archived); Sparkasse: o1 (o3 was introduced before the period).
    assert values(f["top_door_openers"]) == [
        ["IHK Hannover", "IHK", 2, 1, 0.5],
        ["Sparkasse Celle", "Bank / Sparkasse / Volksbank", 1, 1, 1.0],
    ] or [row[2:] for row in values(f["top_door_openers"])] == [[2, 1, 0.5], [1, 1, 1.0]]
    assert [row[1:] for row in values(f["door_opener_kinds"])] == [[2, 1, 0.5], [1, 1, 1.0]]
    only_banks = figures(app, data.manager, "door_opener_kind=bank")
    assert [row[2:] for row in values(only_banks["top_door_openers"])] == [[1, 1, 1.0]]


def test_activity_known_answers_on_berlin_weeks(app: Any, data: Any) -> None:
    f = figures(app, data.manager)
    weekly = f["weekly"]
    headers = [c.header for c in weekly.table.columns]
    assert headers[1] == "KW 37" and headers[12] == "KW 48"  # 7 Sep … 23 Nov 2026
    rows = {row[0].value: [c.value for c in row[1:]] for row in weekly.table.rows}
    # Anna: Monday 00:30 Berlin (Sunday in UTC) counts in week 48, Sunday 23:30 Berlin in week 47;
    # her call with the archived company is gone.
    assert rows["Anna Acker"] == [0] * 10 + [1, 2, 3]
    # Bert: Sunday 02:30 summer time → week 43; 1 Nov 00:30 winter time is Sunday → week 44.
    assert rows["Bert Berg"] == [0] * 6 + [1, 1, 0, 0, 0, 0, 2]
    assert rows["Summe"] == [0] * 6 + [1, 1, 0, 0, 1, 2, 5]

    months = {row[0].value: [row[1].value, row[2].value] for row in f["visits_calls"].table.rows}
    assert next(iter(months)) == "12/2025" and list(months)[-1] == "11/2026"
    assert months["12/2025"] == [0, 1]  # 1 Dec 00:30 Berlin; 30 Nov 23:30 Berlin is outside
    assert months["01/2026"] == [0, 1]  # New Year's night
    assert months["10/2026"] == [1, 0]
    assert months["11/2026"] == [1, 3]
    assert sum(v[0] + v[1] for v in months.values()) == 7

    assert values(f["overdue"]) == [["Anna Acker", 2], ["Bert Berg", 1]]
    assert values(figures(app, data.manager, "region=Hannover")["overdue"]) == [["Anna Acker", 2]]


def test_filtered_activity_series_match_the_summary(app: Any, data: Any) -> None:
    """With a filter that keeps every company the live SQL path gives the summary's numbers."""
    everything = figures(app, data.manager)
    anna = figures(app, data.manager, f"owner={data.anna.id}")
    rows = {row[0].value: [c.value for c in row[1:]] for row in anna["weekly"].table.rows}
    assert rows["Anna Acker"] == [0] * 10 + [1, 2, 3]  # her contacts were all with her companies
    assert "Bert Berg" not in rows
    months = values(anna["visits_calls"])
    assert months[0] == ["12/2025", 0, 1] and months[-1] == ["11/2026", 1, 2]
    assert values(everything["visits_calls"])[-1] == ["11/2026", 1, 3]


def test_training_and_size_mix(app: Any, data: Any) -> None:
    f = figures(app, data.manager)
    rows = values(f["training"])
    assert rows[0] == ["Alle Unternehmen (heute)", 5, 2, 0.4]
    by_month = {r[0]: r[1:] for r in rows[1:]}
    assert by_month["01/2026"] == [1, 1, 1.0]
    assert by_month["05/2026"] == [1, 0, 0.0]
    assert by_month["02/2026"] == [0, 0, None]  # o4 (archived) is not counted
    mix = {r[0]: r[1:] for r in values(f["size_mix"])}
    assert mix["Kleinstunternehmen"] == [1, 0.5]
    assert mix["Kleines Unternehmen"] == [1, 0.5]
    assert mix["Summe"] == [2, 1.0]
    assert "50 %" in f["size_mix"].note


def test_income(app: Any, data: Any) -> None:
    f = figures(app, data.manager)
    assert values(f["fees"]) == [["2025", 10000, 10000, 0], ["2026", 30000, 10000, 20000]]
    assert values(f["new_members"]) == [
        ["Q4/2025", 1], ["Q1/2026", 1], ["Q2/2026", 1], ["Q3/2026", 0], ["Q4/2026", 0]
    ]  # fmt: skip
    assert values(f["sponsorships"]) == [["2025", 0, 0, 0, 0], ["2026", 2, 150000, 0, 50000]]
    forecast = values(f["offer_forecast"])
    assert forecast[0] == ["früher (noch offen)", 1, 10000, 2000]
    assert forecast[1] == ["11/2026", 1, 50000, 25000]
    assert forecast[2] == ["12/2026", 2, 133333, 30999]  # (100000·20 + 33333·33) / 100, whole cents
    assert all(row[1] == 0 for row in forecast[3:]) and forecast[-1][0] == "10/2027"
    assert values(f["key_accounts"]) == [
        ["Eins GmbH", 500000, 0, 10000, 10000, 0.02],
        ["Alle 1 Key Accounts", 500000, 0, 10000, 10000, 0.02],
    ]
    # Income ignores the company filters (stated on the page) …
    assert values(figures(app, data.manager, "region=Celle")["fees"]) == values(f["fees"])
    # … but a past year is a different period.
    assert values(figures(app, data.manager, "period=2025")["fees"]) == [["2025", 10000, 10000, 0]]


def _count_on(page: str, href: str) -> int:
    """The number a list page shows for its rows (or the money sum a fee-list link stands for)."""
    text = unescape(page)
    if "/offers/" in href:
        totals = re.search(
            r'id="offer-totals"><strong>([\d.]+) [^<]*</strong>\s*· [^·]+· \S+ ([^<]+)</p>', text
        )
        return int(totals.group(1).replace(".", ""))
    if "/fees/" in href:
        key = (
            "total-paid" if "status=paid" in href else "total-open" if "status=open" in href else "total-due"
        )
        amount = re.search(rf'id="{key}">([^<]+)<', text).group(1)
        return int(re.sub(r"\D", "", amount))
    if "/follow-ups/" in href:
        return int(
            re.search(r'<h2 class="h5">[^<]+<span class="badge text-bg-light">(\d+)</span>', text).group(1)
        )
    status = re.search(r'role="status"><strong>([\d.]+) ', text)
    return int(status.group(1).replace(".", ""))


def _offer_sums(page: str) -> tuple[int, int]:
    """Sum and weighted sum on the offer list, in cents."""
    line = re.search(r'id="offer-totals">(.*?)</p>', page, re.S).group(1)
    amounts = re.findall(r"([\d.]+,\d\d)", line)
    return tuple(int(re.sub(r"\D", "", a)) for a in amounts)  # type: ignore[return-value]


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", unescape(text)))


@pytest.mark.parametrize(
    "query", ["", "region=Hannover", "door_opener_kind=ihk", "period=ytd", "period=2025", "owner=none"]
)
def test_every_drill_down_list_shows_the_figure(app: Any, client: Any, data: Any, query: str) -> None:
    """Each linked number on the dashboard equals the count (or sum) on the list it links to."""
    assert login(client, data.manager).status_code == 302
    page = client.get(f"/dashboard/?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    checked = 0
    for href, text in LINK.findall(html):
        href = unescape(href)
        if href.startswith("/dashboard") or not text.strip() or not re.search(r"\d", text) or "?" not in href:
            continue
        if "/sponsorships/" in href and "€" in text:
            continue  # sums: see test_income; the count column links to the same list
        if "/key-accounts/" in href:
            listed = unescape(client.get(href).get_data(as_text=True))
            footer = re.search(r"<tfoot>(.*?)</tfoot>", listed, re.S).group(1)
            assert _number(text) in [_number(a) for a in re.findall(r"[\d.]+,\d\d", footer)], (href, text)
            checked += 1
            continue
        if "/offers/" in href and "€" in text:
            listed = unescape(client.get(href).get_data(as_text=True))
            assert _number(text) in _offer_sums(listed), (href, text)
            checked += 1
            continue
        listed = client.get(href)
        assert listed.status_code == 200, (href, listed.get_data(as_text=True)[-3000:])
        assert _count_on(listed.get_data(as_text=True), href) == _number(text), (href, text)
        checked += 1
    assert checked > 40


def test_archived_company_leaves_no_trace(app: Any, client: Any, data: Any) -> None:
    assert login(client, data.manager).status_code == 302
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "Vier AG" not in html
    assert "999,99" not in html and "700,00" not in html


def test_staff_cannot_open_the_dashboard_but_sees_own_figures(app: Any, client: Any, data: Any) -> None:
    assert login(client, data.anna).status_code == 302
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/stages.csv").status_code == 403
    home = unescape(client.get("/").get_data(as_text=True))
    assert "Meine Zahlen" in home
    assert re.search(r"<strong>3</strong> Kontakte in 12 Wochen", home)
    assert re.search(r"<strong>2</strong> überfällig", home)
    assert 'href="/dashboard/"' not in home


def test_dashboard_in_navigation_for_managers(client: Any, data: Any) -> None:
    assert login(client, data.manager).status_code == 302
    assert 'href="/dashboard/"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["period=1999", "period=abc", "owner=999999", "owner=x", "region=Nirgendwo", "door_opener_kind=zoo"],
)
def test_unknown_filter_values_are_400(client: Any, data: Any, query: str) -> None:
    assert login(client, data.manager).status_code == 302
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    assert "Unbekannter Wert" in response.get_data(as_text=True)


def test_unknown_figure_csv_is_404(client: Any, data: Any) -> None:
    assert login(client, data.manager).status_code == 302
    assert client.get("/dashboard/nothing.csv").status_code == 404


def test_csv_downloads(client: Any, data: Any) -> None:
    assert login(client, data.manager).status_code == 302
    for name in builders():
        response = client.get(f"/dashboard/{name}.csv?region=Hannover")
        assert response.status_code == 200, name
        assert response.mimetype == "text/csv"
        assert response.data.startswith("\ufeff".encode())
    funnel = client.get("/dashboard/conversion.csv").get_data(as_text=True)
    assert '"Kontaktiert";"3";"100"' in funnel
    assert '"Bedarfsanalyse";"2";"66,7"' in funnel
    fees = client.get("/dashboard/fees.csv").get_data(as_text=True)
    assert '"2026";"300,00";"100,00";"200,00"' in fees


def test_query_count_is_constant(app: Any, client: Any, data: Any, count_queries: Any) -> None:
    assert login(client, data.manager).status_code == 302
    client.get("/dashboard/")
    before = len(count_queries.statements)
    assert client.get("/dashboard/").status_code == 200
    small = len(count_queries.statements) - before
    # Much more of everything: more people, companies, contacts, introductions.
    for _n in range(6):
        person = factories.UserFactory()
        org = factories.OrganisationFactory(owner=person, region="Hannover")
        factories.IntroductionFactory(organisation=org)
        factories.FollowUpFactory(organisation=org, assignee=person, due_on=NOW.date().replace(day=1))
    db.session.commit()
    before = len(count_queries.statements)
    assert client.get("/dashboard/").status_code == 200
    assert len(count_queries.statements) - before == small
    before = len(count_queries.statements)
    assert client.get("/dashboard/?region=Hannover").status_code == 200
    assert len(count_queries.statements) - before == small + 1  # the region check
