"""Template helpers of the organisation feature (labels, choices, extension points)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from crm.core.i18n import resolved
from crm.organisations.vocab import (
    CHAMBER_LABELS,
    SIZE_CLASS_LABELS,
    STAGE_LABELS,
    WZ_SECTIONS,
    label,
)

# Labels of tables whose rows move in a merge; features add theirs.
MERGE_TABLE_LABELS: dict[str, Any] = {
    "contact_persons": _l("Ansprechpartner/innen"),
    "stage_changes": _l("Phasenwechsel"),
    "organisations": _l("früher zusammengeführte Unternehmen"),
}
# Templates included in the filter form of the company list, and in the action bar of the
# company page; features append theirs.
EXTRA_FILTER_TEMPLATES: list[str] = []
ORGANISATION_ACTIONS: list[str] = []


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        stage_label=lambda v: label(STAGE_LABELS, v),
        stage_labels=lambda: resolved(STAGE_LABELS),
        size_labels=lambda: resolved(SIZE_CLASS_LABELS),
        size_label=lambda v: label(SIZE_CLASS_LABELS, v),
        chamber_label=lambda v: label(CHAMBER_LABELS, v),
        wz_label=lambda v: str(WZ_SECTIONS[v]) if v in WZ_SECTIONS else "",
        merge_table_label=lambda t: str(MERGE_TABLE_LABELS.get(t, t)),
        stage_choices=[(s.value, text) for s, text in STAGE_LABELS.items()],
        size_choices=[
            *((s.value, text) for s, text in SIZE_CLASS_LABELS.items()),
            ("unknown", _l("unbekannt")),
        ],
        wz_choices=list(WZ_SECTIONS.items()),
        chamber_choices=[(c.value, text) for c, text in CHAMBER_LABELS.items()],
        extra_filter_templates=EXTRA_FILTER_TEMPLATES,
        org_actions=ORGANISATION_ACTIONS,
    )
