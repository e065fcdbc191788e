"""No dependency that fetches models at run time, and no unvetted workflow package (the package review behind the
domain notes: ``text2vec``, ``hanlp`` and ``synonyms`` pull models when first used; ``baisitong2`` is unvetted).

Read from ``pyproject.toml`` and the lock file, so a package pulled in by another one is caught too.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFUSED = frozenset({"text2vec", "hanlp", "synonyms", "baisitong2"})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _normalised(requirement: str) -> str:
    found = _NAME.match(requirement.strip())
    return re.sub(r"[-_.]+", "-", found.group(0)).lower() if found else ""


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = list(project["project"].get("dependencies", []))
    for group in project["project"].get("optional-dependencies", {}).values():
        requirements += group
    for group in project.get("dependency-groups", {}).values():
        requirements += [r for r in group if isinstance(r, str)]
    return {_normalised(r) for r in requirements}


def _locked() -> set[str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {_normalised(package["name"]) for package in lock["package"]}


def test_the_lock_file_is_read() -> None:
    assert {"jieba", "rapidfuzz", "datasketch"} <= _locked() and "jieba" in _declared()


def test_no_model_pulling_or_unvetted_package_is_declared_or_locked() -> None:
    assert not (_declared() | _locked()) & REFUSED
