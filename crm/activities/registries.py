"""Where other features plug into the contact history: the sources of the company timeline."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crm.core.registry import ExtensionPoint

_KEY = re.compile(r"^[a-z][a-z_]*$")


@dataclass(frozen=True)
class TimelineSource:
    """One table's entries in the company timeline (see ``crm.activities.timeline``).

    ``at`` must be a timestamp (cast a DATE column); ``kind=None`` means every row has the
    source's only kind. ``template`` defines ``{% macro render(item, ctx, current_user) %}``.
    """

    key: str
    kinds: Mapping[str, Any]  # filter value -> label (lazy), in display order
    kind: Any  # column holding the kind, or None when the source has a single kind
    at: Any
    id: Any
    organisation_id: Any
    load: Callable[[list[int]], Mapping[int, Any]]  # ids -> records (one query)
    template: str  # defines the macro ``render(item, ctx, current_user)``

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"bad timeline source key {self.key!r}")
        if self.kind is None and len(self.kinds) != 1:
            raise ValueError("a source without a kind column must have exactly one kind")


# Sources of the company timeline, keyed by ``TimelineSource.key``; shown in ascending order.
TIMELINE_SOURCES: ExtensionPoint[TimelineSource] = ExtensionPoint("activities.timeline_sources")
