"""The repository's own tooling (lock, migration scripts) is checked from its files alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _transaction() -> Iterator[None]:
    """Opt out of the parent conftest's per-test transaction: these tests need no app or database."""
    yield
