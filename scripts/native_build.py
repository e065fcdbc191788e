"""Compile the executor's hot path with mypyc, in place: ``bash scripts/native.sh`` runs this (see there).

``build [--root DIR]`` compiles the modules that ``gateway/executor/native.py`` names (``COMPILED_MODULES``) in
the checkout at ``DIR`` (default: this one) into extension modules beside their sources (``gateway/executor/*.so``),
which Python imports in preference to the ``.py`` files, and writes ``gateway/executor/native.json`` with the
SHA-256 of each compiled source, by which the gateway tells a stale build at start-up. ``clean [--root DIR]``
removes them. The intermediate C sources and objects go to a temporary directory. Needs gcc, the Python headers,
mypy (which ships mypyc) and setuptools: all but the first two are dev dependencies in the lock.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path("gateway") / "executor"
NATIVE = PACKAGE / "native.py"  # names the modules compiled (COMPILED_MODULES), which the gateway checks at start-up
GROUP = "gateway.executor._native"  # one shared library, gateway/executor/_native__mypyc.*.so
STAMP = PACKAGE / "native.json"


def compiled_modules(root: Path) -> tuple[str, ...]:
    """``COMPILED_MODULES`` of ``gateway/executor/native.py``, read without importing the package (which may hold a
    build that no longer imports)."""
    tree = ast.parse((root / NATIVE).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "COMPILED_MODULES" for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, tuple) and all(isinstance(name, str) for name in value)
            return value
    raise SystemExit(f"error: no COMPILED_MODULES in {root / NATIVE}")


def built_files(root: Path) -> list[Path]:
    folder = root / PACKAGE
    return sorted(path for path in folder.iterdir() if path.suffix in (".so", ".pyd")) + (
        [root / STAMP] if (root / STAMP).exists() else []
    )


def clean(root: Path) -> None:
    removed = built_files(root)
    for path in removed:
        path.unlink()
    print(f"removed {len(removed)} file(s): the executor runs pure Python" if removed else "nothing to remove")


def build(root: Path) -> None:
    clean(root)
    modules = compiled_modules(root)
    sources = [str(PACKAGE / f"{name}.py") for name in modules]
    os.chdir(root)  # mypy reads the project's configuration and resolves gateway.* from here
    with tempfile.TemporaryDirectory(prefix="minyi-native-") as tmp:
        warnings.simplefilter("ignore")  # setuptools' notes on this project's pyproject.toml, which it does not build
        from mypyc.build import mypycify
        from setuptools import setup

        print(f"compiling {', '.join(sources)} with mypyc (about a minute)", flush=True)
        extensions = mypycify(sources, opt_level="3", group_name=GROUP, target_dir=str(Path(tmp) / "c"))
        quiet = open(os.devnull, "w")  # noqa: SIM115 - for the length of the build only
        with contextlib.redirect_stdout(quiet):
            setup(
                name="minyi-native",
                packages=[],
                py_modules=[],
                ext_modules=extensions,
                script_args=[
                    "--quiet",
                    "build_ext",
                    "--inplace",
                    "--build-temp",
                    str(Path(tmp) / "temp"),
                    "--build-lib",
                    str(Path(tmp) / "lib"),
                ],
            )
        quiet.close()
    digests = {name: hashlib.sha256((root / PACKAGE / f"{name}.py").read_bytes()).hexdigest() for name in modules}
    (root / STAMP).write_text(json.dumps({"modules": digests}, indent=2) + "\n", encoding="utf-8")
    for path in built_files(root):
        print(f"  {path.relative_to(root)}")
    print("built: the gateway's executor runs compiled (`bash scripts/native.sh --clean` goes back to pure Python)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("build", "clean"))
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to build in (default: this one)")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.action == "clean":
        clean(root)
        return
    try:
        import mypyc  # noqa: F401
        import setuptools  # noqa: F401
    except ImportError as exc:
        sys.exit(f"error: {exc.name} is missing: run `uv sync --frozen` (it is a dev dependency)")
    build(root)


if __name__ == "__main__":
    main()
