#!/usr/bin/env bash
# Install what is needed, then run the checks and the tests: `bash scripts/test.sh`.
# The tests use a real redis-server on 127.0.0.1:6379 (MINYI_TEST_REDIS_URL overrides); .ci/run starts one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/pytest "$@"
