"""Faster translation lookups: the catalogue is fetched once per request, not once per string.

Flask-Babel looks the catalogue up on every ``_()`` call; a list page with a hundred labels pays
for that a hundred times. Here templates and label tables reuse the request's catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, g, has_app_context
from flask_babel import get_translations


def translations() -> Any:
    """The catalogue of the current request's language (cached on ``g``)."""
    if not has_app_context():
        return get_translations()
    cached = g.get("_crm_translations")
    if cached is None:
        cached = g._crm_translations = get_translations()
    return cached


def resolved(mapping: Mapping[Any, Any]) -> dict[Any, str]:
    """``mapping`` with its lazy labels turned into text once per request (keyed by id)."""
    if not has_app_context():
        return {key: str(value) for key, value in mapping.items()}
    cache = g.setdefault("_crm_labels", {})
    table = cache.get(id(mapping))
    if table is None:
        table = cache[id(mapping)] = {key: str(value) for key, value in mapping.items()}
    return table


def init_i18n(app: Flask) -> None:
    """Point Jinja's ``_()`` at the per-request catalogue."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def gettext(string: str, **variables: Any) -> str:
    """``flask_babel.gettext`` on the request's cached catalogue (for pages with many labels)."""
    text = translations().ugettext(string)
    return text % variables if variables else text
