#!/usr/bin/env bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # `sh script.sh` (dash) re-runs itself under bash
# Install everything (idempotent) and run the test suite on this machine (GPU tests run only with CUDA).
# Extra arguments go to pytest, e.g. `bash scripts/run_tests.sh -m "not slow" -k config`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/python_env.sh  # the environment setup.sh installed into
if [ "$#" -eq 0 ]; then set -- -m "not slow"; fi
exec "$PYTHON" -m pytest -q "$@"
