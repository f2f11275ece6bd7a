"""Template helpers of sponsorships."""

from __future__ import annotations

from flask import Flask

from crm.core.i18n import resolved
from crm.organisations.vocab import label
from crm.sponsorships.vocab import KIND_LABELS, STATUS_LABELS, VAT_LABELS


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        sponsorship_kind_label=lambda v: label(KIND_LABELS, v),
        sponsorship_status_label=lambda v: label(STATUS_LABELS, v),
        vat_label=lambda v: label(VAT_LABELS, v),
        sponsorship_kind_labels=lambda: resolved(KIND_LABELS),
        sponsorship_status_labels=lambda: resolved(STATUS_LABELS),
    )
