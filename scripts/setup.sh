#!/usr/bin/env bash
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"  # `sh script.sh` (dash) re-runs itself under bash
# Install everything this framework needs, idempotently, on a fresh Linux machine with Python >= 3.10.
#   0. the Python to install into: $PYTHON if set, else the active virtual environment ($VIRTUAL_ENV), else
#      the project's .venv, created here (with --system-site-packages, so a torch the machine already has,
#      e.g. a GPU machine's CUDA build, is reused; nothing is installed system-wide, which distributions
#      with an externally managed Python forbid);
#   1. torch first: pinned torch==2.13.0 on a machine without a GPU (an unpinned requirement would pull a
#      multi-GB CUDA build); an existing torch is kept;
#   2. the sparse-convolution backend: `spconv` on the CPU, the `spconv-cuXXX` wheel matching
#      torch.version.cuda on a GPU, or `spconv-triton` where no spconv wheel matches (README: tested table);
#   3. the project itself (editable) with its test requirements; open3d only with WITH_OPEN3D=1 (the one
#      feature that needs it, `--normal-method open3d` of the segment preprocessing, asks for it).
# Environment: PYTHON, TORCH_VERSION (default 2.13.0), WITH_OPEN3D=1, SKIP_APT=1, QUIET=1.
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
TORCH_GPU_VERSION=${TORCH_GPU_VERSION:-2.11.0}   # the GPU stack of the README's table
SPCONV_VERSION=2.3.8; SPCONV_TRITON_VERSION=1.0.0
say() { echo "[setup] $*"; }

if [ -z "${PYTHON:-}" ] && [ -z "${VIRTUAL_ENV:-}" ] && [ ! -x .venv/bin/python ]; then
  say "creating the virtual environment .venv (reusing the system's site-packages, e.g. an installed torch)"
  if ! python3 -m venv --system-site-packages .venv >/dev/null 2>&1; then
    rm -rf .venv
    if [ "${SKIP_APT:-0}" != "1" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
      say "python3 -m venv failed; installing Debian's python3-venv"
      apt-get install -y -q python3-venv >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q python3-venv >/dev/null 2>&1; } || true
    fi
    python3 -m venv --system-site-packages .venv || { echo "[setup] cannot create .venv: install python3-venv, or set PYTHON=/path/to/python of an environment you made" >&2; exit 1; }
  fi
fi
# shellcheck source=scripts/python_env.sh
. scripts/python_env.sh
PIP=("$PYTHON" -m pip install --disable-pip-version-check -q)
say "python: $PYTHON"

if [ "${WITH_OPEN3D:-0}" = "1" ] && [ "${SKIP_APT:-0}" != "1" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  if ! ldconfig -p 2>/dev/null | grep -q "libusb-1.0.so.0"; then
    say "installing Debian package libusb-1.0-0 (open3d needs it)"
    (apt-get install -y -q libusb-1.0-0 >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q libusb-1.0-0 >/dev/null 2>&1; }) \
      || say "warning: could not install libusb-1.0-0; open3d will be unavailable (optional)"
  fi
fi

if "$PYTHON" -c "import torch" >/dev/null 2>&1; then
  say "torch $("$PYTHON" -c 'import torch; print(torch.__version__)') already installed"
else
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then
    say "GPU found: installing torch==$TORCH_GPU_VERSION (CUDA build)"
    "${PIP[@]}" "torch==$TORCH_GPU_VERSION"
  else
    say "no GPU: installing torch==$TORCH_VERSION"
    "${PIP[@]}" "torch==$TORCH_VERSION"
  fi
fi

backend=$("$PYTHON" - <<'PY'
import importlib.util, torch
cuda = torch.version.cuda if torch.cuda.is_available() else None
if cuda is None:
    print("spconv")
else:
    major, minor = (int(x) for x in cuda.split(".")[:2])
    wheels = {(11, 8): "cu118", (12, 0): "cu120", (12, 1): "cu121", (12, 4): "cu124", (12, 6): "cu126"}
    match = [w for (ma, mi), w in sorted(wheels.items()) if ma == major and mi <= minor]
    print(f"spconv-{match[-1]}" if match else "spconv-triton")
PY
)
have_backend=$("$PYTHON" - <<'PY'
try:
    from pointcept.models.layers.sparse_backend import BACKEND_NAME
    print(BACKEND_NAME)
except Exception:
    import importlib.util, torch
    ok = importlib.util.find_spec("spconv") is not None and not torch.cuda.is_available()
    ok = ok or (torch.cuda.is_available() and importlib.util.find_spec("spconv_triton") is not None)
    print("yes" if ok else "")
PY
)
if [ -n "$have_backend" ]; then
  say "sparse convolution backend present"
else
  say "installing sparse convolution backend: $backend"
  if [ "$backend" = "spconv" ]; then
    "${PIP[@]}" "spconv==$SPCONV_VERSION"
  elif [ "$backend" = "spconv-triton" ]; then
    "${PIP[@]}" "spconv-triton==$SPCONV_TRITON_VERSION"
  else
    "${PIP[@]}" "$backend==$SPCONV_VERSION" || { say "$backend failed; using spconv-triton"; "${PIP[@]}" "spconv-triton==$SPCONV_TRITON_VERSION"; }
  fi
fi

say "installing the project and its requirements"
extras=test
[ "${WITH_OPEN3D:-0}" != "1" ] || extras=test,open3d
"${PIP[@]}" -e ".[$extras]"
"$PYTHON" -c "import pointcept, pointcept.models; from pointcept.models.layers.sparse_backend import BACKEND_NAME; print('[setup] ready: pointcept', pointcept.__version__, 'sparse backend', BACKEND_NAME)"
