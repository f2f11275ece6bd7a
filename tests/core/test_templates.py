"""Rules every template keeps (checked on the files, so templates added later are covered too)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.factories import OrganisationFactory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_breadcrumbs_are_labelled_in_the_ui_language():
    """Screen readers announce a landmark's label: "breadcrumb" is English in a German UI."""
    english = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if re.search(r'aria-label="breadcrumb"', path.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert not english, f"use aria-label=\"{{{{ _('Pfad') }}}}\" in: {', '.join(english)}"


def test_breadcrumb_on_a_page_is_named_pfad(staff_client):
    org = OrganisationFactory()
    html = staff_client.get(f"/organisations/{org.id}/activities/new").get_data(as_text=True)
    assert '<nav aria-label="Pfad"><ol class="breadcrumb">' in html
