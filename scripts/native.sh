#!/usr/bin/env bash
# Opt-in: compile the gateway's executor hot path with mypyc, or go back to pure Python.
#
#   bash scripts/native.sh          compile gateway/executor/{merge,result,operation,entities,shaping,execution}.py
#                                   in place (extension modules beside the sources; Python imports them first)
#   bash scripts/native.sh --clean  remove them: the executor runs pure Python again
#
# Pure Python is the default of every other command (demo.sh, test.sh); nothing builds this unless asked. Needs gcc
# and the Python headers (Debian: apt-get install gcc python3-dev); mypy (which ships mypyc) and setuptools come
# from the lock. The build is checked at gateway start-up, which logs one line: "executor: compiled (mypyc)", "pure
# Python", or a warning when a source changed after the build (run this again, or --clean). The .so files are
# git-ignored.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in
  -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --clean) exec .venv/bin/python scripts/native_build.py clean ;;
  "") ;;
  *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
esac
source scripts/setup.sh
if ! command -v gcc >/dev/null 2>&1 && ! command -v cc >/dev/null 2>&1; then
  echo "error: no C compiler (Debian: apt-get install gcc python3-dev); the executor stays pure Python" >&2
  exit 1
fi
exec .venv/bin/python scripts/native_build.py build
