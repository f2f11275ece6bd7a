"""Tell other features that facts behind their summary figures changed for some companies.

Called (inside the writing transaction) when a company is archived, restored or merged, first
becomes customer/partner, or gets its first logged contact. Listeners refresh their summaries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Listener = Callable[[set[int]], None]
_LISTENERS: list[Listener] = []


def on_results_changed(listener: Listener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def results_changed(organisation_ids: Iterable[int]) -> None:
    ids = {int(i) for i in organisation_ids if i is not None}
    if ids:
        for listener in _LISTENERS:
            listener(ids)


ScopeListener = Callable[[set[int], bool], None]
_SCOPE_LISTENERS: list[ScopeListener] = []


def on_scope_changed(listener: ScopeListener) -> None:
    """``listener(ids, entering)`` runs when companies leave (archived, merged away) or rejoin the lists."""
    if listener not in _SCOPE_LISTENERS:
        _SCOPE_LISTENERS.append(listener)


def scope_changed(organisation_ids: Iterable[int], *, entering: bool) -> None:
    """Called inside the writing transaction, after the archived flag was flushed."""
    ids = {int(i) for i in organisation_ids if i is not None}
    if ids:
        for listener in _SCOPE_LISTENERS:
            listener(ids, entering)
