"""Small helpers for building queries safely."""

from __future__ import annotations


def escape_like(text: str) -> str:
    """Escape LIKE wildcards so that ``%`` and ``_`` typed by a user match literally (escape ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains_pattern(text: str) -> str:
    """A case-folded LIKE pattern matching ``text`` anywhere."""
    return "%" + escape_like(text.lower()) + "%"


def prefix_pattern(text: str) -> str:
    """A case-folded LIKE pattern matching values that start with ``text``."""
    return escape_like(text.lower()) + "%"
