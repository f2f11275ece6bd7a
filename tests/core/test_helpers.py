"""Pure helpers: redirect targets, pagination windows, LIKE escaping, audit diffs."""

from __future__ import annotations

from crm.audit.services import diff
from crm.core.pagination import Page
from crm.core.query import contains_pattern
from crm.core.security import safe_next_url


def test_safe_next_url_accepts_paths():
    assert safe_next_url("/organisations/?q=a%20b") == "/organisations/?q=a%20b"


def test_safe_next_url_rejects_other_origins():
    for bad in (
        "//x.org",
        "/\\x.org",
        "https:x.org",
        "http://x.org",
        "%2F%2Fx.org",
        "/%2F%2Fx",
        "\\x",
        "x",
        "/\nx",
        "",
    ):
        assert safe_next_url(bad) is None, bad


def test_page_window():
    page = Page(items=[], page=10, per_page=10, total=500)
    assert page.pages == 50
    assert page.window() == [1, None, 8, 9, 10, 11, 12, None, 50]
    assert Page(items=[], page=1, per_page=10, total=0).first_index == 0


def test_like_pattern_escapes_wildcards():
    assert contains_pattern("100%_A\\") == "%100\\%\\_a\\\\%"


def test_diff_masks_sensitive_fields():
    changes = diff(
        {"name": "A", "iban": "DE89370400440532013000"},
        {"name": "B", "iban": "DE02120300000000202051"},
        masked={"iban"},
    )
    assert changes == {"name": ["A", "B"], "iban": ["***3000", "***2051"]}
