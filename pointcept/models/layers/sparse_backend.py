"""The one import of sparse convolutions: ``from pointcept.models.layers.sparse_backend import spconv``.

Two backends share spconv 2.x's API and weight layout ``[out, k, k, k, in]``:

* ``spconv`` (traveller59/spconv, wheels ``spconv`` for the CPU and ``spconv-cuXXX`` for CUDA);
* ``spconv_triton`` (Triton kernels, GPU only) where no CUDA build of spconv is installed.

``POINTCEPT_SPCONV_BACKEND=spconv|spconv_triton`` forces one; ``auto`` (default) takes spconv when it can
run on this machine's device, else spconv-triton on a GPU. The CPU build of spconv calls
``torch.cuda.current_stream()`` in its backward pass, which crashes a CPU-only torch; :func:`_patch_cpu_streams`
makes its stream helper return 0 when CUDA is unavailable, once, here.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType

import torch

BACKEND_ENV = "POINTCEPT_SPCONV_BACKEND"
BACKENDS = ("spconv", "spconv_triton")


class SparseBackendUnavailable(ImportError):
    """No sparse-convolution backend can run on this machine."""


def _patch_cpu_streams() -> None:
    """Make spconv's ``get_current_stream`` return 0 without CUDA (its CPU backward calls it)."""
    if torch.cuda.is_available():
        return

    def get_current_stream() -> int:
        return 0

    for module_name in ("spconv.pytorch.cppcore", "spconv.pytorch.ops", "spconv.pytorch.hash"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, "get_current_stream"):
            module.get_current_stream = get_current_stream


def _patch_cpu_scatter_add() -> None:
    """Make spconv's CPU convs right with more than one thread.

    spconv 2.3.8's CPU ``scatter_add`` kernel shares its row pointers across OpenMP threads (a data race), so
    with ``torch.get_num_threads() > 1`` sums land in the wrong output rows, in the forward and input-gradient
    of every sparse conv. A CPU-only build runs its convs through ``spconv.pytorch.ops``' Python
    gather-mm-scatter loop; give that loop a torch ``index_add_`` (thread-safe, as fast here) instead.
    """
    from spconv.cppconstants import CPU_ONLY_BUILD

    ops = importlib.import_module("spconv.pytorch.ops")
    if not CPU_ONLY_BUILD or getattr(ops, "_pointcept_safe_scatter", False):
        return
    native = ops.SpconvOps

    class _ThreadSafeOps:
        def __getattr__(self, name: str):
            return getattr(native, name)

        @staticmethod
        def scatter_add_cpu(out, inp, inds) -> None:
            rows = torch.from_numpy(inds.numpy_view()).long()
            src = torch.from_numpy(inp.numpy_view())[: rows.shape[0]]
            torch.from_numpy(out.numpy_view()).index_add_(0, rows, src)

    ops.SpconvOps = _ThreadSafeOps()
    ops.SPCONV_CPP_GEMM = False  # keep the Python loop even if a C++ GEMM path (same kernel) is present
    ops._pointcept_safe_scatter = True


def _spconv_runs_here() -> bool:
    """True when spconv is installed and can run on this machine's device (a CPU build on a GPU host cannot)."""
    try:
        from spconv.cppconstants import CPU_ONLY_BUILD
    except ImportError:
        return not torch.cuda.is_available()  # let the import below report what is missing
    return not (torch.cuda.is_available() and CPU_ONLY_BUILD)


def cuda_backends() -> list[str]:
    """The installed sparse backends that take CUDA tensors: a CUDA build of spconv, and spconv_triton
    (what a parity check between the two needs), without importing either."""
    names = []
    if importlib.util.find_spec("spconv") is not None:
        try:
            from spconv.cppconstants import CPU_ONLY_BUILD
        except ImportError:
            CPU_ONLY_BUILD = True
        if not CPU_ONLY_BUILD:
            names.append("spconv")
    if importlib.util.find_spec("spconv_triton") is not None:
        names.append("spconv_triton")
    return names


def _load(name: str) -> ModuleType:
    if name == "spconv":
        module = importlib.import_module("spconv.pytorch")
        _patch_cpu_streams()
        _patch_cpu_scatter_add()
        return module
    if name == "spconv_triton":
        if not torch.cuda.is_available():
            raise SparseBackendUnavailable("spconv_triton runs on GPUs only; install `spconv` for the CPU")
        return importlib.import_module("spconv_triton.pytorch")
    raise ValueError(f"{BACKEND_ENV}={name!r}: expected one of auto, {', '.join(BACKENDS)}")


def select_backend(preference: str | None = None) -> tuple[str, ModuleType]:
    """Return ``(name, module)`` of the sparse-conv backend to use on this machine."""
    preference = (preference or os.environ.get(BACKEND_ENV, "auto")).strip().lower().replace("-", "_")
    if preference != "auto":
        try:
            return preference, _load(preference)
        except ImportError as error:
            raise SparseBackendUnavailable(f"{BACKEND_ENV}={preference!r} cannot be imported: {error}") from error
    # a CPU-only spconv build cannot take CUDA tensors: on a GPU machine it is not a candidate
    candidates = ["spconv", "spconv_triton"] if _spconv_runs_here() else ["spconv_triton"]
    errors = []
    for name in candidates:
        try:
            return name, _load(name)
        except ImportError as error:
            errors.append(f"{name}: {error}")
    raise SparseBackendUnavailable(
        "no sparse convolution backend: install `spconv` (CPU), `spconv-cuXXX` matching torch.version.cuda, "
        "or `spconv-triton` (GPU); scripts/setup.sh picks one. Tried: " + "; ".join(errors)
    )


BACKEND_NAME, spconv = select_backend()

__all__ = ["spconv", "BACKEND_NAME", "select_backend", "SparseBackendUnavailable"]
