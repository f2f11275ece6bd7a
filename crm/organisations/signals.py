"""Signals of the organisations feature: facts about companies changed, other features follow.

Blinker signals, sent inside the writing transaction with the app as sender (like Flask's own
signals), so a receiver connected for one app never runs for another. Receivers connect in their
feature's wiring, e.g. ``results_changed.connect(refresh, sender=app)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from blinker import Namespace
from flask import current_app

_signals = Namespace()

results_changed = _signals.signal(
    "organisation-results-changed",
    doc="""Facts behind summary figures changed for some companies: archived, restored, merged,
    erased, first became customer/partner, or got (or lost) their first logged contact.

    ``receiver(app, *, organisation_ids: set[int])``
    """,
)

scope_changed = _signals.signal(
    "organisation-scope-changed",
    doc="""Companies left the lists (archived, merged away: ``entering=False``) or rejoined them
    (restored: ``entering=True``); sent after the archived flag was flushed.

    ``receiver(app, *, organisation_ids: set[int], entering: bool)``
    """,
)


def _ids(organisation_ids: Iterable[int | None]) -> set[int]:
    return {int(i) for i in organisation_ids if i is not None}


def send_results_changed(organisation_ids: Iterable[int | None]) -> None:
    """Send ``results_changed`` for these companies (nothing when there are none)."""
    ids = _ids(organisation_ids)
    if ids:
        results_changed.send(current_app._get_current_object(), organisation_ids=ids)  # type: ignore[attr-defined]


def send_scope_changed(organisation_ids: Iterable[int | None], *, entering: bool) -> None:
    """Send ``scope_changed`` for these companies (nothing when there are none)."""
    ids = _ids(organisation_ids)
    if ids:
        scope_changed.send(current_app._get_current_object(), organisation_ids=ids, entering=entering)  # type: ignore[attr-defined]
