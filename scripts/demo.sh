#!/usr/bin/env bash
# Install what is needed, then run the demo: `bash scripts/demo.sh` (Ctrl-C stops everything).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
exec .venv/bin/minyi demo "$@"
