#!/usr/bin/env bash
# Install what is needed, then run the checks and the tests: `bash scripts/test.sh`.
# The tests start their own redis-server on a free port (MINYI_TEST_REDIS_URL names another to use instead).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/pytest "$@"
