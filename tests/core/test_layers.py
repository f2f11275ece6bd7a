"""The core knows no feature: nothing in ``crm/core/`` imports a feature package (or the app factory).

Features build on the core; if the core imported a feature, every feature would depend on it too.
Where the core needs a feature to act (auditing a denial, knowing whether demo data exists), the
feature registers with the core or answers its signal.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CRM = Path(__file__).resolve().parents[2] / "crm"
CORE_FILES = sorted((CRM / "core").rglob("*.py"))
FEATURES = sorted(p.name for p in CRM.iterdir() if p.is_dir() and any(p.glob("*.py")) and p.name != "core")
# What the core may import from the package: itself and the shared extension objects.
ALLOWED = ("crm.core", "crm.extensions")


def _allowed(module: str) -> bool:
    return any(module == a or module.startswith(a + ".") for a in ALLOWED)


def forbidden_imports(source: str) -> list[str]:
    """The ``crm`` modules outside the core that ``source`` (a module of ``crm.core``) imports.

    Every ``import``/``from … import`` counts, also inside functions; relative imports are resolved
    against ``crm.core``, and ``from crm import x`` is judged by ``crm.x``.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(["crm", "core"][: max(0, 2 - (node.level - 1))])
                module = ".".join(part for part in (base, node.module) if part)
            else:
                module = node.module or ""
            names = [f"{module}.{alias.name}" for alias in node.names]
            found += names if module == "crm" else [module]
    return [m for m in found if (m == "crm" or m.startswith("crm.")) and not _allowed(m)]


def test_the_check_knows_the_core_and_the_features():
    """The check is only worth something if it reads the core and knows what it forbids."""
    assert {"organisations", "auth", "privacy", "audit", "memberships", "activities"} <= set(FEATURES)
    assert len(CORE_FILES) > 10


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CRM)))
def test_core_module_imports_no_feature(path: Path):
    assert forbidden_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "from crm.organisations.models import Organisation",
        "def f():\n    from crm.auth.permissions import has_role\n",
        "import crm.audit.services",
        "from crm import privacy",
        "from crm.models import Organisation",
        "from crm import create_app",
        "from .. import organisations",
        "from ..memberships import fees",
    ],
)
def test_the_check_catches_feature_imports(source: str):
    """Top-level, lazy, plain, relative and aggregate imports all count."""
    assert forbidden_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "from crm.core.errors import DomainError",
        "from crm.extensions import db",
        "from . import sqlfuncs",
        "from .errors import DomainError",
        "import sqlalchemy as sa",
    ],
)
def test_the_check_allows_the_core_and_the_extensions(source: str):
    assert forbidden_imports(source) == []
