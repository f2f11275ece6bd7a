"""Template helpers of memberships and fees: labels and choices."""

from __future__ import annotations

from flask import Flask

from crm.core.i18n import resolved
from crm.memberships.vocab import (
    DUNNING_LABELS,
    FEE_STATUS_LABELS,
    KIND_LABELS,
    PAYMENT_METHOD_LABELS,
    PRO_RATA_LABELS,
    SCHEME_LABELS,
)
from crm.organisations.vocab import label


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        membership_kind_label=lambda v: label(KIND_LABELS, v),
        payment_method_label=lambda v: label(PAYMENT_METHOD_LABELS, v),
        scheme_label=lambda v: label(SCHEME_LABELS, v),
        fee_status_label=lambda v: label(FEE_STATUS_LABELS, v),
        pro_rata_label=lambda v: label(PRO_RATA_LABELS, v),
        dunning_label=lambda v: label(DUNNING_LABELS, v),
        fee_status_labels=lambda: resolved(FEE_STATUS_LABELS),
        payment_method_labels=lambda: resolved(PAYMENT_METHOD_LABELS),
        membership_kind_labels=lambda: resolved(KIND_LABELS),
    )
