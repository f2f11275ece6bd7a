"""Journey 4: a manager opens the dashboard, clicks a figure and lands on a list with the same count."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import check_a11y

pytestmark = pytest.mark.e2e


def _number(text: str) -> int:
    """A figure as shown in German ("1.234") as an integer."""
    return int(re.sub(r"\D", "", text))


def _first_nonzero_link(table: Locator) -> tuple[Locator, int]:
    links = table.get_by_role("link")
    for i in range(links.count()):
        link = links.nth(i)
        text = link.inner_text().strip()
        if re.fullmatch(r"[\d.]+", text) and _number(text) > 0:
            return link, _number(text)
    raise AssertionError("no non-zero figure with a link")


def _open_dashboard(page: Page) -> None:
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    check_a11y(page)


def test_journey4_dashboard_figure_leads_to_a_list_with_the_same_count(server, open_page):
    page = open_page("manager")
    _open_dashboard(page)

    # Funnel: a stage count → the company list filtered to it shows the same number of companies.
    link, figure = _first_nonzero_link(page.locator("#figure-stages table"))
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Unternehmen")
    check_a11y(page)
    status = page.get_by_role("status").filter(has_text="Unternehmen").first
    assert _number(status.inner_text()) == figure

    # Overdue follow-ups of one person → that person's overdue list with the same count.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    link, figure = _first_nonzero_link(page.locator("#figure-overdue table"))
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wiedervorlagen")
    check_a11y(page)
    badge = page.get_by_role("heading", level=2).locator(".badge").first
    assert _number(badge.inner_text()) == figure
