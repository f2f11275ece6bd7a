"""Is the lock in step with pyproject.toml? Run by `make test` (and `make lock`) before anything else.

Every dependency that pyproject.toml (and requirements/tooling.in) asks for must be pinned in the
lock with a version it accepts: the app's in run.txt, the app's and the dev extra's in dev.txt.
run.txt is the app's part of dev.txt, so each of its pins must equal dev.txt's. A dependency added
to pyproject.toml without `make lock` fails here with a message, not later with an ImportError.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pins(text: str) -> dict[str, str]:
    """Name -> pinned version of every ``name==version`` line of a lock file."""
    result: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line[0] in " \t#-":
            continue  # hashes, comments, options
        requirement = Requirement(line.rstrip(" \\"))
        versions = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        if len(versions) != 1:
            raise ValueError(f"not an exact pin: {line!r}")
        result[canonicalize_name(requirement.name)] = versions[0]
    return result


def requirements(lines: Iterable[str]) -> list[Requirement]:
    """The requirements of a pyproject list or a ``.in`` file (comments and blank lines skipped)."""
    found = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            found.append(Requirement(line))
    return found


def problems(wanted: list[Requirement], lock: dict[str, str], lock_name: str) -> list[str]:
    """What in ``wanted`` the lock does not pin, or pins at a version outside the range."""
    found = []
    for requirement in wanted:
        version = lock.get(canonicalize_name(requirement.name))
        if version is None:
            found.append(f"{requirement.name} is not in {lock_name}")
        elif not requirement.specifier.contains(version, prereleases=True):
            wants = f"pyproject.toml wants {requirement}"
            found.append(f"{lock_name} pins {requirement.name}=={version}, {wants}")
    return found


def check(root: Path) -> list[str]:
    """Every problem of the lock below ``root`` (empty: in step)."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    tooling = requirements((root / "requirements" / "tooling.in").read_text(encoding="utf-8").splitlines())
    app = requirements(project["dependencies"]) + tooling
    dev = app + requirements(project.get("optional-dependencies", {}).get("dev", []))
    run_pins = pins((root / "requirements" / "run.txt").read_text(encoding="utf-8"))
    dev_pins = pins((root / "requirements" / "dev.txt").read_text(encoding="utf-8"))
    found = problems(app, run_pins, "requirements/run.txt") + problems(dev, dev_pins, "requirements/dev.txt")
    for name, version in sorted(run_pins.items()):
        if dev_pins.get(name) != version:
            found.append(f"requirements/run.txt pins {name}=={version}, dev.txt {dev_pins.get(name)}")
    return found


def main() -> int:
    """Print the problems and a hint; exit status 1 when there are any."""
    found = check(ROOT)
    for problem in found:
        print(f"lock: {problem}", file=sys.stderr)
    if found:
        hint = "The lock is out of step with pyproject.toml: run `make lock` and commit requirements/."
        print(hint, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
