"""One way to wire a feature: each feature's ``wiring.init_app`` runs once per app, registries live on it."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import crm
from crm import create_app
from crm.activities.registries import TIMELINE_SOURCES
from crm.core.registries import HOME_SECTIONS, NAVIGATION
from crm.core.registry import ExtensionPoint, Registry
from crm.organisations import signals
from crm.organisations.registries import LIST_FILTERS, PANELS, Panel
from tests.factories import OrganisationFactory

PACKAGE = Path(crm.__file__).parent


def _app(tmp_path: Path) -> Flask:
    return create_app(
        {
            "CRM_ENV": "testing",
            "TESTING": True,
            "SECRET_KEY": secrets.token_hex(16),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "INSTANCE_DIR": str(tmp_path),
        }
    )


def _registries(app: Flask) -> dict[str, Registry[Any]]:
    return {k: v for k, v in app.extensions.items() if isinstance(v, Registry)}


def test_every_feature_package_has_one_wiring_module_in_the_list():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")} | {
        p.name for p in PACKAGE.iterdir() if p.is_dir() and any(p.glob("*.py"))
    }
    with_wiring = {p.parent.name for p in PACKAGE.glob("*/wiring.py")}
    assert with_wiring == packages  # every feature (and the core) has a wiring module
    listed = [module.__name__ for module in crm.features()]
    assert sorted(listed) == sorted(f"crm.{name}.wiring" for name in with_wiring)
    assert len(listed) == len(set(listed))
    # No second way of wiring is left behind.
    for old in ("setup.py", "integration.py", "templating.py", "hooks.py"):
        assert not list(PACKAGE.glob(f"*/{old}")), old


def test_each_wiring_runs_exactly_once_per_app(tmp_path, monkeypatch):
    calls: dict[str, int] = {}
    for module in crm.features():
        original = module.init_app

        def counting(app: Flask, _original: Any = original, _name: str = module.__name__) -> None:
            calls[_name] = calls.get(_name, 0) + 1
            _original(app)

        monkeypatch.setattr(module, "init_app", counting)
    app = _app(tmp_path)
    assert calls == {module.__name__: 1 for module in crm.features()}
    assert app.extensions["crm.wired"] == [module.__name__ for module in crm.features()]


def test_wiring_a_feature_twice_is_refused(tmp_path):
    from crm.activities import wiring

    app = _app(tmp_path)
    with pytest.raises(ValueError, match="already registered"):
        wiring.init_app(app)


def test_two_apps_have_independent_registries(tmp_path):
    first = _app(tmp_path / "a")
    before = {name: registry.keys() for name, registry in _registries(first).items()}
    second = _app(tmp_path / "b")
    # Building a second app changed nothing in the first (no module-global registry)…
    assert {name: registry.keys() for name, registry in _registries(first).items()} == before
    # …and gave it the same contributions in registries of its own.
    assert {name: registry.keys() for name, registry in _registries(second).items()} == before
    for name, registry in _registries(second).items():
        assert registry is not first.extensions[name]
    PANELS.of(first).add("only_here", Panel("x.html", lambda org, user: None), order=99)
    assert "only_here" in PANELS.of(first) and "only_here" not in PANELS.of(second)
    assert len(before) >= 15  # panels, filters, timeline, menu, start page, door-opener hooks, …


def test_signal_receivers_belong_to_their_app(app):
    """A receiver connected for one app does not run for another app's writes."""
    other = Flask("other")
    received: list[tuple[Flask, set[int]]] = []

    def receiver(sender: Flask, *, organisation_ids: set[int]) -> None:
        received.append((sender, organisation_ids))

    signals.results_changed.connect(receiver, sender=other)
    try:
        org = OrganisationFactory()
        signals.send_results_changed([org.id])  # in the test app's context
        assert received == []
        with other.app_context():
            signals.send_results_changed([org.id, None])
        assert received == [(other, {org.id})]
        with other.app_context():
            signals.send_results_changed([])  # nothing to say: not sent
        assert len(received) == 1
    finally:
        signals.results_changed.disconnect(receiver, sender=other)


def test_contributions_keep_the_page_order(app):
    """Orders are explicit, so the pages look as they did whatever order features are wired in."""
    assert PANELS.of(app).keys() == [
        "introductions",
        "timeline",
        "key_account",
        "memberships",
        "offers",
        "sponsorships",
    ]
    assert HOME_SECTIONS.of(app).keys() == ["activities", "dashboard", "offers"]
    assert TIMELINE_SOURCES.of(app).keys() == ["activity", "needs_analysis", "offer", "stage_change"]
    assert NAVIGATION.of(app).keys() == [
        "dashboard.index",
        "organisations.index",
        "follow_ups.index",
        "dooropeners.index",
        "events.index",
        "offers.index",
        "offers.board",
        "keyaccounts.index",
        "groups.index",
        "admin_users.index",
        "admin_audit.index",
        "memberships.index",
        "fees.fee_index",
        "sponsorships.index",
        "fee_settings.schedule_list",
        "imports.index",
        "activities.quick_log",
        "needs_topics.index",
        "privacy.index",
        "privacy.processing_record",
    ]
    assert {"introduced_by", "reached", "key_account"} <= set(LIST_FILTERS.of(app).keys())


def test_registry_orders_keys_and_cache():
    point: ExtensionPoint[str] = ExtensionPoint("test.point")
    app = Flask(__name__)
    registry = point.of(app)
    assert point.of(app) is registry
    registry.add("b", "second", order=20)
    registry.add("a", "first", order=10)
    registry.add("c", "also second", order=20)
    assert list(registry) == ["first", "second", "also second"]
    assert registry["a"] == "first" and registry.get("z") is None and "c" in registry
    registry.cache["derived"] = 1
    registry.remove("c")
    assert registry.cache == {} and registry.keys() == ["a", "b"]
    with pytest.raises(ValueError):
        registry.add("a", "again")
