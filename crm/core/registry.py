"""Extension points: where one feature lets others contribute (panels, filters, sources, …).

A feature declares an ``ExtensionPoint`` in its ``registries.py``; every app gets its own
``Registry`` for it in ``app.extensions``, so two apps in one process never share contributions.
Other features add to it from their ``wiring.init_app(app)``; the owner reads it per request::

    PANELS: ExtensionPoint[Panel] = ExtensionPoint("organisations.panels")
    PANELS.of(app).add("timeline", Panel(...), order=20)      # in activities/wiring.py
    for panel in PANELS.of():                                 # in the company page's view
        ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from flask import Flask, current_app

T = TypeVar("T")


class Registry(Generic[T]):
    """Contributions to one extension point of one app: unique keys, read in ascending ``order``.

    Entries with the same order keep the order they were added in. ``cache`` is for whoever
    derives something from the entries (e.g. a prepared statement); it is emptied on every change.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, tuple[int, int, T]] = {}
        self._added = 0
        self._ordered: list[tuple[str, T]] | None = None
        self.cache: dict[Any, Any] = {}

    def add(self, key: str, item: T, *, order: int = 0) -> T:
        """Contribute ``item`` under ``key``; a key contributed twice is a wiring mistake."""
        if key in self._entries:
            raise ValueError(f"{self.name}: {key!r} is already registered")
        self._entries[key] = (order, self._added, item)
        self._added += 1
        self._changed()
        return item

    def remove(self, key: str) -> T:
        """Take ``key`` out again (tests that add a contribution of their own)."""
        item = self._entries.pop(key)[2]
        self._changed()
        return item

    def _changed(self) -> None:
        self._ordered = None
        self.cache.clear()

    def items(self) -> list[tuple[str, T]]:
        """``(key, item)`` pairs in ascending order."""
        if self._ordered is None:
            entries = sorted(self._entries.items(), key=lambda kv: kv[1][:2])
            self._ordered = [(key, entry[2]) for key, entry in entries]
        return self._ordered

    def keys(self) -> list[str]:
        return [key for key, _item in self.items()]

    def __iter__(self) -> Iterator[T]:
        return iter([item for _key, item in self.items()])

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __getitem__(self, key: str) -> T:
        return self._entries[key][2]

    def get(self, key: str, default: T | None = None) -> T | None:
        entry = self._entries.get(key)
        return entry[2] if entry is not None else default

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {', '.join(self.keys())}>"


class ExtensionPoint(Generic[T]):
    """The name of a registry; ``of(app)`` is that app's registry (made on first use)."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc

    @property
    def key(self) -> str:
        return f"crm.{self.name}"

    def of(self, app: Flask | None = None) -> Registry[T]:
        """The registry of ``app`` (default: the current app)."""
        target: Flask = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
        registry = target.extensions.get(self.key)
        if registry is None:
            registry = target.extensions[self.key] = Registry[T](self.name)
        return registry  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<ExtensionPoint {self.name}>"
