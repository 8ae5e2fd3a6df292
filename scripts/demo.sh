#!/usr/bin/env bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # `sh script.sh` (dash) re-runs itself under bash
# Install everything (idempotent), then run the README's main job on the built-in demo rooms.
# Extra arguments go to tools/demo.py (e.g. --quick for a smoke test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/python_env.sh  # the environment setup.sh installed into
exec "$PYTHON" tools/demo.py "$@"
