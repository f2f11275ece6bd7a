"""The lock (requirements/*.txt) pins everything pyproject.toml asks for, and the check notices when not."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lock_check", ROOT / "requirements" / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """pyproject.toml and requirements/ copied, to be spoilt by a test."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_lock_is_in_step_with_pyproject():
    assert _checker().check(ROOT) == []


def test_every_pin_is_exact_and_hashed():
    """pip's hash-checking mode refuses the install otherwise; this says which line is wrong."""
    for name in ("run.txt", "dev.txt"):
        text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        for entry in entries:
            assert re.match(r"[A-Za-z0-9._-]+==[^ ;]+", entry), entry[:80]
            assert "--hash=sha256:" in entry, entry[:80]


def test_a_dependency_added_without_relocking_is_named(copy: Path):
    _edit(
        copy / "pyproject.toml",
        '    "icalendar>=6.0",\n',
        '    "icalendar>=6.0",\n    "time-machine>=2.16",\n',
    )
    problems = _checker().check(copy)
    assert "time-machine is not in requirements/run.txt" in problems
    assert "time-machine is not in requirements/dev.txt" in problems


def test_a_dev_dependency_added_without_relocking_is_named(copy: Path):
    _edit(copy / "pyproject.toml", '    "pytest>=8.0",\n', '    "pytest>=8.0",\n    "hypothesis>=6",\n')
    assert _checker().check(copy) == ["hypothesis is not in requirements/dev.txt"]


def test_a_raised_lower_bound_is_named(copy: Path):
    _edit(copy / "pyproject.toml", '"Flask>=3.0"', '"Flask>=99"')
    problems = _checker().check(copy)
    assert any(
        p.startswith("requirements/run.txt pins Flask==") and p.endswith("wants Flask>=99") for p in problems
    )


def test_run_and_dev_lock_must_agree(copy: Path):
    run = copy / "requirements" / "run.txt"
    version = re.search(r"^flask==(\S+) ", run.read_text(encoding="utf-8"), re.MULTILINE).group(1)
    _edit(run, f"flask=={version} ", "flask==3.0.0 ")
    assert f"requirements/run.txt pins flask==3.0.0, dev.txt {version}" in _checker().check(copy)
