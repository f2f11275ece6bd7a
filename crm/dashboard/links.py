"""Drill-down addresses: one ``url_for`` per list, then plain query strings (hundreds of links per page)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import url_for


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
        merged: dict[str, Any] = {**(self.company_args if companies else {}), **args}
        query = urlencode(
            [
                (k, _arg(v))
                for k, value in merged.items()
                for v in (value if isinstance(value, list) else [value])
            ]
        )
        return f"{self._base(endpoint, **values)}?{query}" if query else self._base(endpoint, **values)


def _arg(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
