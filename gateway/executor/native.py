"""Whether the executor's hot path runs compiled or as pure Python.

``bash scripts/native.sh`` compiles :data:`COMPILED_MODULES` with mypyc into extension modules beside their
sources, which Python imports in preference to the ``.py`` files, and records the SHA-256 of each source it compiled
in ``native.json`` beside them. Without a build (the default) everything is pure Python and behaves the same. A
source edited after the build is *stale*: Python still imports the old compiled module, so the gateway says so at
start-up rather than run code that is not in the checkout.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["COMPILED_MODULES", "NativeStatus", "native_status"]

# Of gateway.executor, in dependency order (scripts/native_build.py reads this): what the profile of the deep query
# puts on the hot path (entity collection, shaping, merging, the plan walk that merges entity answers) and the
# classes they read (the prepared operation's fields, the result).
COMPILED_MODULES = ("merge", "result", "operation", "entities", "shaping", "execution")
_HERE = Path(__file__).resolve().parent
_STAMP = "native.json"


@dataclass(frozen=True, slots=True)
class NativeStatus:
    """``compiled``: the modules imported from extension modules; ``stale``: those of them whose source differs
    from the one compiled (or whose build left no record)."""

    compiled: tuple[str, ...]
    stale: tuple[str, ...]

    @property
    def mode(self) -> str:
        """``compiled (mypyc)``, ``pure Python`` or ``partly compiled (names)``."""
        if not self.compiled:
            return "pure Python"
        if len(self.compiled) == len(COMPILED_MODULES):
            return "compiled (mypyc)"
        return f"partly compiled ({', '.join(self.compiled)})"


def native_status() -> NativeStatus:
    """Which of the executor's hot modules this process runs compiled, and whether their build is current."""
    compiled: list[str] = []
    for name in COMPILED_MODULES:
        module = importlib.import_module(f"gateway.executor.{name}")
        if str(getattr(module, "__file__", "")).endswith((".so", ".pyd")):
            compiled.append(name)
    if not compiled:
        return NativeStatus((), ())
    try:
        recorded = json.loads((_HERE / _STAMP).read_text(encoding="utf-8"))["modules"]
    except (OSError, ValueError, KeyError, TypeError):
        recorded = {}
    stale = [name for name in compiled if recorded.get(name) != _digest(_HERE / f"{name}.py")]
    return NativeStatus(tuple(compiled), tuple(stale))


def _digest(source: Path) -> str | None:
    try:
        return hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:
        return None
