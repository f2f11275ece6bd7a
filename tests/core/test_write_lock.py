"""SQLite transactions of views that write take the write lock up front (crm.core.db)."""

from __future__ import annotations

import pytest

from crm.core.db import _write_expected

# GET views that write an audit entry: read-then-write in a deferred SQLite transaction fails
# with "database is locked" when another request saved in between (benchmarks/load.py found it).
WRITING_GETS = [
    "/organisations/export.csv",
    "/organisations/export.xlsx",
    "/fees/2026/export.csv",
    "/fees/2026/export.xlsx",
    "/sponsorships/export.csv",
    "/sponsorships/export.xlsx",
]


@pytest.mark.parametrize("path", WRITING_GETS)
def test_exports_are_marked_as_writing(app, path):
    with app.test_request_context(path):
        assert _write_expected(), f"{path} records an audit entry: mark its view with @writes_on_get"


@pytest.mark.parametrize(
    ("path", "method", "expected"),
    [
        ("/organisations/", "GET", False),  # readers stay deferred and never wait for writers
        ("/fees/2026/", "GET", False),
        ("/activities/new", "POST", True),
        ("/no-such-page", "GET", False),
    ],
)
def test_other_requests_follow_their_method(app, path, method, expected):
    with app.test_request_context(path, method=method):
        assert _write_expected() is expected


def test_outside_a_request_writes_are_expected(app):
    with app.app_context():
        assert _write_expected()


def test_every_export_route_is_marked(app):
    """Every GET download (CSV, XLSX, XML) and access export records an audit entry: all are marked."""
    downloads = (".csv", ".xlsx", ".xml", "/access", "/access.json")
    exports = [
        rule for rule in app.url_map.iter_rules() if rule.rule.endswith(downloads) and "GET" in rule.methods
    ]
    assert exports
    unmarked = [
        r.rule for r in exports if not getattr(app.view_functions[r.endpoint], "crm_writes_on_get", False)
    ]
    assert not unmarked, f"exports without @writes_on_get: {unmarked}"
