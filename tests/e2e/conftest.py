"""Fixtures of the browser journeys: one server and one Chromium per test session, a fresh
browser context (own cookies) per page a journey opens.

The journeys talk to a separate server process with its own database, so the per-test
rolled-back transaction of ``tests/conftest.py`` has nothing to do here; ``_transaction`` is
overridden with a no-op, which also keeps the in-process test app from being built for a run of
the browser tests alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.helpers import (
    CHROMIUM_FLAGS,
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    axe_path,
    check_a11y,
    chromium_path,
    login,
    safe_name,
    save_page,
    track,
    unchecked_loads,
)
from tests.e2e.server import Server, running_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures know whether the journey failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Opt out of the parent conftest's per-test transaction: the server has its own database."""
    yield


def _require_chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "browser end-to-end tests skipped: Chromium not found (/usr/bin/chromium, `chromium` on "
            "PATH or CRM_E2E_CHROMIUM); install it with `apt-get install -y chromium` (.ci/run does)"
        )
    pytest.importorskip(
        "playwright.sync_api", reason="browser end-to-end tests skipped: playwright is not installed"
    )
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app served by gunicorn on a free loopback port with a fresh, migrated database."""
    _require_chromium()
    with running_server(tmp_path_factory.mktemp("e2e")) as running:
        yield running


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[Browser]:
    """Debian's headless Chromium driven by Playwright's synchronous API."""
    from playwright.sync_api import expect, sync_playwright

    executable = _require_chromium()
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def _logged_in_states() -> dict[str, Any]:
    """Cookies of each account's first login, reused by later pages (a login costs ~1 s)."""
    return {}


@pytest.fixture
def open_page(
    browser: Browser, server: Server, request: pytest.FixtureRequest, _logged_in_states: dict[str, Any]
) -> Iterator[Callable[..., Page]]:
    """Factory: ``open_page("staff", phone=True)`` opens a page in a new browser context.

    With an account key (see ``server.ACCOUNTS``) the page is logged in and shows the start
    page: the account's first page in a test session logs in through the form, later ones reuse
    its cookies (``fresh_login=True`` forces the form, e.g. for a journey that logs out). At the
    end every page is screenshotted under ``test-output/e2e/`` (``-FAILED`` when the journey
    failed), and a journey that loaded a page without ``check_a11y`` fails.
    """
    opened: list[tuple[Any, Page, str]] = []

    def factory(
        account: str | None = None,
        *,
        phone: bool = False,
        label: str | None = None,
        fresh_login: bool = False,
    ) -> Page:
        reuse = account is not None and not fresh_login and account in _logged_in_states
        context = browser.new_context(
            base_url=server.base_url,
            locale="de-DE",
            timezone_id="Europe/Berlin",
            storage_state=_logged_in_states[account] if reuse else None,
            **(PHONE if phone else DESKTOP),
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(path=axe_path())
        page = context.new_page()
        label = label or account or f"page{len(opened) + 1}"
        track(page, label)
        opened.append((context, page, label))
        if account is None:
            return page
        if reuse:
            from playwright.sync_api import expect

            page.goto("/")
            expect(page.get_by_role("heading", level=1)).to_contain_text(server.accounts[account].name)
            check_a11y(page)
        else:
            login(page, server.accounts[account])
            if not fresh_login:
                _logged_in_states[account] = context.storage_state()
        return page

    yield factory

    reports = request.node.stash.get(_REPORTS, {})
    failed = any(report.failed for report in reports.values())
    stem = safe_name(f"{request.node.module.__name__.rsplit('.', 1)[-1]}-{request.node.name}")
    unchecked = []
    for context, page, label in opened:
        save_page(page, stem if len(opened) == 1 else f"{stem}-{label}", failed=failed)
        unchecked += [f"{label}: {url}" for url in unchecked_loads(page)]
        context.close()
    if unchecked and not failed:
        pytest.fail(
            "pages were loaded without an accessibility check (call check_a11y(page) after each load):\n"
            + "\n".join(unchecked)
        )
