"""Drill-down addresses: one ``url_for`` per list, then plain query strings (hundreds of links per page)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import url_for

_SAFE = re.compile(r"[A-Za-z0-9_.-]*\Z")


def _pair(key: str, value: Any) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value)
    return f"{key}={text if _SAFE.match(text) else quote(text, safe='')}"


class Links:
    """Builds ``<list address>?<filters>`` links; list addresses are resolved once per endpoint."""

    def __init__(self, company_args: dict[str, str]) -> None:
        self.company_args = company_args
        self._bases: dict[tuple[str, tuple[Any, ...]], str] = {}

    def _base(self, endpoint: str, **values: Any) -> str:
        key = (endpoint, tuple(sorted(values.items())))
        if key not in self._bases:
            self._bases[key] = url_for(endpoint, **values)
        return self._bases[key]

    def to(self, endpoint: str, args: dict[str, Any], *, companies: bool = True, **values: Any) -> str:
        """``endpoint``'s address with ``args`` (a list repeats its key) and the company filters."""
        merged: dict[str, Any] = {**self.company_args, **args} if companies else args
        pairs = [
            _pair(k, v)
            for k, value in merged.items()
            for v in (value if isinstance(value, list) else [value])
        ]
        base = self._base(endpoint, **values)
        return f"{base}?{'&'.join(pairs)}" if pairs else base
