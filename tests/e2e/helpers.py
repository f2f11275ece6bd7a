"""Browser plumbing for the journeys: Chromium, login, axe checks, screenshots, keyboard helpers.

A journey is a plain test that takes the ``open_page`` fixture, seeds its own data through the
``server`` fixture (the app's services, never the database file) and drives Chromium like a user.
Call ``check_a11y(page)`` after every page load: the page fixture fails a journey that left a
loaded page unchecked. A new journey is a few lines::

    pytestmark = pytest.mark.e2e

    def test_journey_x(server, open_page):
        org_id = server.create_organisation(name="Beispiel GmbH", postcode="29221", city="Celle")
        page = open_page("staff", phone=True)      # logged in, on the start page
        page.goto(f"/organisations/{org_id}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Beispiel GmbH")
        check_a11y(page)

Other data comes from the app's services inside ``with server.session() as session:`` (with
``server.user(session, "staff")`` as the actor) or from a CLI command via ``server.cli(...)``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.e2e.server import OUTPUT

if TYPE_CHECKING:  # Playwright is only needed where a browser runs
    from playwright.sync_api import Page

    from tests.e2e.server import Account

# Debian's Chromium, never a browser that Playwright downloads itself.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# Generous: the machines are small and shared; a wait ends as soon as its condition holds.
TIMEOUT_MS = 30_000


def chromium_path() -> str | None:
    """Debian's Chromium, or ``None`` when there is none.

    ``CRM_E2E_CHROMIUM`` names another binary (or a missing one, to see the skip message).
    """
    override = os.environ.get("CRM_E2E_CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


# --- pages: login, accessibility, screenshots -------------------------------------------------


def login(page: Page, account: Account) -> None:
    """Log in through the real login form (both pages checked with axe); lands on the start page."""
    from playwright.sync_api import expect

    page.goto("/login")
    check_a11y(page)
    page.get_by_label("E-Mail").fill(account.email)
    page.get_by_label("Passwort").fill(account.password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(account.name)
    check_a11y(page)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")


def axe_path() -> Path:
    """axe-core as bundled by the ``axe-playwright-python`` wheel (a local file, never a CDN)."""
    from importlib.resources import files

    return Path(str(files("axe_playwright_python") / "axe.min.js"))


@dataclass
class PageLog:
    """Which document loads of a page happened and which of them were checked with axe."""

    label: str
    loads: list[str] = field(default_factory=list)
    checked: set[int] = field(default_factory=set)

    def unchecked(self) -> list[str]:
        return [url for number, url in enumerate(self.loads, 1) if number not in self.checked]


_LOGS: weakref.WeakKeyDictionary[Any, PageLog] = weakref.WeakKeyDictionary()


def track(page: Page, label: str) -> PageLog:
    """Count ``page``'s document loads so that unchecked pages can be reported."""
    log = PageLog(label)
    _LOGS[page] = log
    page.on("load", lambda loaded: log.loads.append(loaded.url))
    return log


def unchecked_loads(page: Page) -> list[str]:
    """URLs of ``page``'s document loads that no ``check_a11y`` call covered."""
    log = _LOGS.get(page)
    return log.unchecked() if log else []


def check_a11y(page: Page, *, context: str | None = None) -> dict[str, Any]:
    """Run axe-core (WCAG 2.1 A/AA rules) on the page; fail on serious or critical violations.

    Lesser findings are appended to ``test-output/e2e/axe-minor.txt``.
    """
    page.wait_for_load_state("load")
    # axe arrives with every document as an init script (see ``open_page``). The app's CSP
    # (script-src 'self') would block the inline <script> that add_script_tag() inserts; init
    # scripts and evaluate() go through the DevTools protocol, which the CSP does not govern, so
    # the pages keep their real policy and no bypass_csp context is needed.
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = page.evaluate(
        "([context, options]) => axe.run(context || document, options)", [context, options]
    )
    log = _LOGS.get(page)
    if log is not None:
        log.checked.update(range(1, len(log.loads) + 1))
    violations = results["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    minor = [v for v in violations if v not in blocking]
    if minor:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        with (OUTPUT / "axe-minor.txt").open("a", encoding="utf-8") as sink:
            sink.write(f"{page.url}\n{format_violations(minor)}\n")
    assert not blocking, f"axe found accessibility violations on {page.url}:\n{format_violations(blocking)}"
    return results


def format_violations(violations: list[dict[str, Any]]) -> str:
    """One readable paragraph per violation with the offending elements."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '')!s}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


def safe_name(text: str) -> str:
    """A file name made from a test id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


def snapshot(page: Page, step: str) -> Path:
    """Screenshot a step worth seeing (e.g. a warning page) as ``<test>--<step>.png``."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "journey").split(" ")[0]
    module, _, name = test.rpartition("::")
    path = OUTPUT / f"{safe_name(Path(module).stem + '-' + name)}--{safe_name(step)}.png"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def save_page(page: Page, stem: str, *, failed: bool) -> None:
    """Full-page screenshot of ``page``; on failure also its HTML, URL and unchecked loads."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    suffix = "-FAILED" if failed else ""
    try:
        page.screenshot(path=str(OUTPUT / f"{stem}{suffix}.png"), full_page=True)
        if failed:
            (OUTPUT / f"{stem}{suffix}.html").write_text(page.content(), encoding="utf-8")
            log = _LOGS.get(page)
            info = {"url": page.url, "loads": log.loads if log else []}
            (OUTPUT / f"{stem}{suffix}.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    except Exception as error:  # a crashed page must not hide the real failure
        (OUTPUT / f"{stem}{suffix}.txt").write_text(f"no screenshot: {error!r}\n", encoding="utf-8")


# --- small assertions journeys share -----------------------------------------------------------


def focused(page: Page) -> dict[str, str]:
    """Describe the element that has the keyboard focus (tag, id, name, type, text)."""
    return page.evaluate(
        """() => { const e = document.activeElement; return {
            tag: e.tagName.toLowerCase(), id: e.id || "", name: e.getAttribute("name") || "",
            type: e.getAttribute("type") || "", text: (e.innerText || "").trim() }; }"""
    )


def tab_to(page: Page, text: str, *, limit: int = 40) -> dict[str, str]:
    """Press Tab until the focused element's text or name is ``text``; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        target = focused(page)
        if text in (target["text"], target["name"], target["id"]):
            return target
    raise AssertionError(f"{text!r} was not reached with {limit} presses of Tab on {page.url}")


def assert_fits_phone(page: Page) -> None:
    """Nothing on the page is wider than the phone screen (no sideways scrolling).

    Measured against the layout viewport (``clientWidth``): in mobile emulation Chromium widens
    ``window.innerWidth`` to the overflowing content (it zooms out), which would hide the overflow.
    """
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size}"


def keyboard_login(page: Page, account: Account) -> None:
    """Log in with the keyboard alone: type, Tab, Enter. Ends on the start page."""
    from playwright.sync_api import expect

    page.goto("/login")
    check_a11y(page)
    assert focused(page)["name"] == "email", "the login form should put the cursor in the e-mail field"
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(account.password)
    page.keyboard.press("Tab")
    target = focused(page)
    assert (target["tag"], target["type"], target["text"]) == ("button", "submit", "Anmelden"), target
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(account.name)
    check_a11y(page)


def focus_indicator(page: Page) -> dict[str, Any]:
    """How the focused element shows its focus: ``:focus-visible``, outline and box-shadow.

    Read after the element's CSS transitions have run (Bootstrap fades its focus shadow in). A
    visually hidden input styled as a button (Bootstrap's ``btn-check``) shows the focus on its
    label, so the label's style is the one a user sees. Inside a date/time input the browser
    moves the focus over its own parts (day, month, ..., the calendar button) and draws their
    rings itself; the host then reports ``native``.
    """
    return page.evaluate(
        r"""async () => {
            const e = document.activeElement;
            let shown = e;
            if (e.classList.contains("btn-check") && e.id) {
                shown = document.querySelector(`label[for="${e.id}"]`) || e;
            }
            await Promise.all(shown.getAnimations().map((a) => a.finished.catch(() => null)));
            const style = getComputedStyle(shown);
            const box = shown.getBoundingClientRect();
            const shadow = style.boxShadow;
            const seen = shadow !== "none" && !/^rgba\([^)]*,\s*0\)/.test(shadow)
                && !/ 0px 0px 0px 0px/.test(shadow);
            return {
                tag: e.tagName.toLowerCase(), id: e.id || "", text: (e.innerText || "").trim(),
                focusVisible: e.matches(":focus-visible"),
                native: /^(date|datetime-local|time|month|week)$/.test(e.type || "") && !e.matches(":focus"),
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
                    ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : "",
                shadow: seen ? shadow : "",
                onScreen: box.width > 0 && box.height > 0,
            };
        }"""
    )


def assert_focus_visible(page: Page) -> dict[str, Any]:
    """The focused element is on screen and draws a focus ring (outline or box-shadow)."""
    shown = focus_indicator(page)
    assert shown["tag"] not in ("body", "html"), f"nothing has the focus on {page.url}"
    assert shown["onScreen"], f"the focused element is not on screen: {shown}"
    if shown["native"]:
        return shown
    assert shown["focusVisible"], f"the focus is not :focus-visible: {shown}"
    assert shown["outline"] or shown["shadow"], f"the focused element shows no focus ring: {shown}"
    return shown


def tab_to_visibly(page: Page, text: str, *, limit: int = 40) -> dict[str, str]:
    """``tab_to``, asserting on every stop that the focus ring is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        target = focused(page)
        if text in (target["text"], target["name"], target["id"]):
            return target
    raise AssertionError(f"{text!r} was not reached with {limit} presses of Tab on {page.url}")
