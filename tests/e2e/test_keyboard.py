"""Keyboard only: no mouse, just Tab, typing and Enter (journey 7 starts here)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import check_a11y, focused, keyboard_login, tab_to

pytestmark = pytest.mark.e2e


def test_keyboard_only_login_ends_on_the_start_page(server, open_page):
    """Log in with Tab and Enter; the first Tab on the start page offers the skip link."""
    page = open_page()
    keyboard_login(page, server.accounts["staff"])
    expect(page).to_have_url(f"{server.base_url}/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    assert tab_to(page, "Unternehmen")["tag"] == "a", "the start page's tiles are reachable by Tab"
    check_a11y(page)
