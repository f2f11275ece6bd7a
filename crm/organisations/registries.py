"""Where other features plug into companies: page sections and buttons, list filters, merging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from crm.core.registry import ExtensionPoint


@dataclass(frozen=True)
class Panel:
    """A section of the company page. ``load`` runs a fixed number of queries for one company,
    so the page's query count does not grow with the data shown."""

    template: str  # rendered with ``ctx`` = what ``load`` returned
    load: Callable[[Any, Any], dict[str, Any] | None]  # (organisation, user) -> context, or None to hide


@dataclass(frozen=True)
class ExtraFilter:
    """A filter another feature adds to the company list (e.g. "introduced by")."""

    name: str
    parse: Callable[[], Any]  # reads request.args, returns None when the filter is not set
    apply: Callable[[sa.Select[Any], Any], sa.Select[Any]]


@dataclass(frozen=True)
class MergeHandler:
    """How a table's rows move when two companies are merged, where repointing the foreign key
    is not enough (e.g. a unique constraint). ``move`` returns the number of rows it moved;
    ``None`` leaves the rows where they are (they are rebuilt or belong to the old record)."""

    move: Callable[[Any, Any], int] | None  # (survivor, duplicate) -> rows moved


PANELS: ExtensionPoint[Panel] = ExtensionPoint("organisations.panels")
# Templates included in the action bar of the company page.
PAGE_ACTIONS: ExtensionPoint[str] = ExtensionPoint("organisations.page_actions")
LIST_FILTERS: ExtensionPoint[ExtraFilter] = ExtensionPoint("organisations.list_filters")
# Templates included in the filter form of the company list (for the filters above).
LIST_FILTER_TEMPLATES: ExtensionPoint[str] = ExtensionPoint("organisations.list_filter_templates")
MERGE_HANDLERS: ExtensionPoint[MergeHandler] = ExtensionPoint("organisations.merge_handlers")
# Labels of the tables whose rows move in a merge (shown in the preview), by table name.
MERGE_TABLE_LABELS: ExtensionPoint[Any] = ExtensionPoint("organisations.merge_table_labels")
