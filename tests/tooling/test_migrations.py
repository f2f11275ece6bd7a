"""Migration scripts stand alone (no application code) and are named by the alembic.ini template."""

from __future__ import annotations

import ast
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
SCRIPTS = sorted((MIGRATIONS / "versions").glob("*.py"))


def application_imports(source: str) -> list[str]:
    """Modules of the application (``crm``) that a script imports, at the top or inside a function."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = ["." * node.level + (node.module or "")]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            in {"__import__", "import_module"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        else:
            continue
        found += [name for name in names if name == "crm" or name.startswith(("crm.", "."))]
    return found


def _config(directory: Path) -> Config:
    config = Config(str(directory / "alembic.ini"))
    config.set_main_option("script_location", str(directory))
    return config


def test_there_are_migration_scripts():
    assert len(SCRIPTS) >= 11


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name[:27])
def test_migration_imports_no_application_code(script: Path):
    """A migration is frozen history: the app's helpers may change or go, the script must not."""
    assert application_imports(script.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import crm",
        "import crm.models",
        "import sqlalchemy as sa, crm.core.db as db",
        "from crm.core.sqlfuncs import local_date",
        "from crm import models",
        "from . import helpers",
        "def upgrade():\n    from crm.core import sqlfuncs\n",
        "import importlib\nimportlib.import_module('crm.core.sqlfuncs')",
        "__import__('crm')",
    ],
)
def test_the_import_check_sees_each_way_of_importing(source: str):
    assert application_imports(source)


def test_the_import_check_lets_libraries_pass():
    assert application_imports("from alembic import op\nimport sqlalchemy as sa\nimport crmish\n") == []


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name[:27])
def test_file_name_is_creation_time_and_revision(script: Path):
    """``YYYYMMDD_HHMM_<revision>_<slug>.py``, from the script's own "Create Date" and revision."""
    source = script.read_text(encoding="utf-8")
    created = datetime.fromisoformat(re.search(r"^Create Date: (.+)$", source, re.MULTILINE).group(1))
    revision = re.search(r"^revision = '([0-9a-f]+)'$", source, re.MULTILINE).group(1)
    assert script.name.startswith(f"{created:%Y%m%d_%H%M}_{revision}_"), script.name
    assert re.fullmatch(r"\d{8}_\d{4}_[0-9a-f]{12}_[a-z0-9_]+\.py", script.name)


def test_one_unbroken_chain_with_one_head():
    """Parallel branches that each add a migration must re-point one of them before landing."""
    scripts = ScriptDirectory.from_config(_config(MIGRATIONS))
    assert len(scripts.get_heads()) == 1, scripts.get_heads()
    assert len(list(scripts.walk_revisions())) == len(SCRIPTS)


def test_new_revision_is_named_by_utc_date_and_time_and_imports_no_application_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The template of ``flask db revision`` (alembic.ini + script.py.mako) makes such a file, in UTC
    even on a machine set to another time zone."""
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        before = datetime.now(UTC).replace(second=0, microsecond=0)
        script = command.revision(_config(directory), message="Add a thing", rev_id="0123456789ab")
        after = datetime.now(UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert script is not None
    path = Path(script.path)
    assert path.name.endswith("_0123456789ab_add_a_thing.py"), path.name
    stamp = datetime.strptime(path.name[:13], "%Y%m%d_%H%M").replace(tzinfo=UTC)
    assert before <= stamp <= after, (path.name, before, after)
    assert application_imports(path.read_text(encoding="utf-8")) == []
