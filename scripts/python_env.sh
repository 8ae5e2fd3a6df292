# Sourced by the scripts: which Python they run. In order: $PYTHON if set; the active virtual environment
# ($VIRTUAL_ENV); the project's own .venv (made by scripts/setup.sh); python3 as a last resort.
if [ -z "${PYTHON:-}" ]; then
  if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
    PYTHON="$VIRTUAL_ENV/bin/python"
  elif [ -x ".venv/bin/python" ]; then
    PYTHON="$(pwd)/.venv/bin/python"
  else
    PYTHON=python3
  fi
fi
export PYTHON
