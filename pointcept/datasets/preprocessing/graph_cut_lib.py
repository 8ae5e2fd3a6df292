"""Backends of the graph cut: the compiled C++ library (ctypes) or the numpy/Python fallback.

Why ctypes: the C++ code has a plain C ABI, so it needs no Python headers, no torch extension build and no
install step. The library is found in this order:

1. ``$POINTCEPT_GRAPH_CUT_LIB`` (path of a built ``.so``);
2. the ``pointcept_graph_cut`` package built by ``pip install libs/graph_cut``;
3. a per-user cache (``$POINTCEPT_CACHE_DIR``, else ``$XDG_CACHE_HOME/pointcept``, else
   ``~/.cache/pointcept``), compiling ``libs/graph_cut/graph_cut.cpp`` there on first use with the system
   C++ compiler (``$CXX``, ``c++``, ``g++`` or ``clang++``). The file is written under a temporary name and
   renamed, so concurrent processes never load half a library.

``POINTCEPT_GRAPH_CUT_BACKEND=auto|compiled|python`` forces a backend (``auto`` falls back to Python with
one warning; ``compiled`` raises instead).
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np

from . import graph_cut_python as _py

ABI_VERSION = 3  # must equal GC_ABI_VERSION in graph_cut.cpp
ENV_BACKEND = "POINTCEPT_GRAPH_CUT_BACKEND"
ENV_LIB = "POINTCEPT_GRAPH_CUT_LIB"
ENV_CACHE = "POINTCEPT_CACHE_DIR"
CXX_FLAGS = ("-O2", "-std=c++11", "-shared", "-fPIC", "-ffp-contract=off")
SOURCE = Path(__file__).resolve().parents[3] / "libs" / "graph_cut" / "graph_cut.cpp"

_lock = threading.Lock()
_library: ctypes.CDLL | None = None
_library_error: str | None = None
_loaded = False
_warned = False

_i64, _vp = ctypes.c_int64, ctypes.c_void_p
_SIGNATURES = {
    "gc_abi_version": [],
    "gc_mesh_vertex_normals_f32": [_i64, _vp, _i64, _vp, _vp],
    "gc_mesh_vertex_normals_f64": [_i64, _vp, _i64, _vp, _vp],
    "gc_edge_weights_f32": [_i64, _i64, _vp, _vp, _vp, _vp, ctypes.c_int, _vp],
    "gc_edge_weights_f64": [_i64, _i64, _vp, _vp, _vp, _vp, ctypes.c_int, _vp],
    "gc_segment_graph_f32": [_i64, _i64, _vp, _vp, _vp, ctypes.c_float, _i64, _vp],
    "gc_segment_graph_f64": [_i64, _i64, _vp, _vp, _vp, ctypes.c_double, _i64, _vp],
    "gc_segment_mesh_f32": [_i64, _vp, _i64, _vp, ctypes.c_float, _i64, _vp],
    "gc_segment_mesh_f64": [_i64, _vp, _i64, _vp, ctypes.c_double, _i64, _vp],
}


def cache_dir() -> Path:
    """Per-user directory for the compiled library."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pointcept"


def find_compiler() -> str | None:
    for name in (os.environ.get("CXX"), "c++", "g++", "clang++"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _cached_library_name(source: bytes, compiler: str) -> str:
    digest = hashlib.sha256(source + " ".join(CXX_FLAGS).encode() + compiler.encode()).hexdigest()[:16]
    return f"libpointcept_graph_cut-{platform.machine()}-{digest}.so"


def compile_library(source: Path = SOURCE, directory: Path | None = None) -> Path:
    """Compile ``source`` into ``directory`` (default :func:`cache_dir`) if not there yet; return the path.

    Safe under concurrency: each process compiles to its own temporary file and renames it into place.
    """
    compiler = find_compiler()
    if compiler is None:
        raise RuntimeError("no C++ compiler found ($CXX, c++, g++, clang++)")
    if not source.is_file():
        raise RuntimeError(f"graph cut source not found at {source} (not a source checkout?)")
    code = source.read_bytes()
    directory = Path(directory) if directory is not None else cache_dir()
    target = directory / _cached_library_name(code, compiler)
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        cmd = [compiler, *CXX_FLAGS, str(source), "-o", tmp]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"compiling {source} failed ({' '.join(cmd)}):\n{result.stderr[-2000:]}")
        os.chmod(tmp, 0o755)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _open(path: Path | str) -> ctypes.CDLL:
    lib = ctypes.CDLL(str(path))
    for name, args in _SIGNATURES.items():
        func = getattr(lib, name)
        func.argtypes = args
        func.restype = ctypes.c_int
    version = lib.gc_abi_version()
    if version != ABI_VERSION:
        raise RuntimeError(f"{path} has ABI version {version}, expected {ABI_VERSION} (stale build)")
    return lib


def _installed_library() -> Path | None:
    if importlib.util.find_spec("pointcept_graph_cut") is None:
        return None
    import pointcept_graph_cut  # type: ignore[import-not-found]

    return Path(pointcept_graph_cut.library_path())


def load_library() -> ctypes.CDLL | None:
    """The compiled library, or ``None`` (reason in :func:`library_error`). Tried once per process."""
    global _library, _library_error, _loaded
    with _lock:
        if _loaded:
            return _library
        errors = []
        candidates = []
        if os.environ.get(ENV_LIB):
            candidates.append(lambda: Path(os.environ[ENV_LIB]))
        candidates += [_installed_library, compile_library]
        for candidate in candidates:
            try:
                path = candidate()
                if path is not None:
                    _library = _open(path)
                    break
            except Exception as error:  # noqa: BLE001 - every failure means "try the next source"
                errors.append(f"{getattr(candidate, '__name__', 'env')}: {error}")
        _library_error = None if _library is not None else "; ".join(errors) or "not found"
        _loaded = True
        return _library


def library_error() -> str | None:
    return _library_error


def _ptr(array: np.ndarray) -> int:
    return array.ctypes.data


def _check(code: int, what: str) -> None:
    if code == 1:
        raise IndexError(f"{what}: vertex index out of range")
    if code == 2:
        raise MemoryError(f"{what}: out of memory in the graph cut library")
    if code != 0:
        raise RuntimeError(f"{what}: graph cut library returned {code}")


def _suffix(dtype) -> str:
    return "f64" if np.dtype(dtype) == np.float64 else "f32"


class CompiledBackend:
    """Thin ctypes wrappers; arrays are made contiguous with the C types first."""

    name = "compiled"

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib

    def mesh_vertex_normals(self, vertices, faces, dtype=np.float32) -> np.ndarray:
        v = np.ascontiguousarray(vertices, dtype=dtype)
        f = np.ascontiguousarray(faces, dtype=np.int64).reshape(-1, 3)
        out = np.empty((len(v), 3), dtype=dtype)
        func = getattr(self.lib, f"gc_mesh_vertex_normals_{_suffix(dtype)}")
        _check(func(len(v), _ptr(v), len(f), _ptr(f), _ptr(out)), "mesh_vertex_normals")
        return out

    def edge_weights(self, points, normals, a, b, convex_square=True, absolute_dot=False, dtype=np.float32):
        p = np.ascontiguousarray(points, dtype=dtype)
        n = np.ascontiguousarray(normals, dtype=dtype)
        a = np.ascontiguousarray(a, dtype=np.int64)
        b = np.ascontiguousarray(b, dtype=np.int64)
        out = np.empty(len(a), dtype=dtype)
        flags = int(bool(convex_square)) | (2 if absolute_dot else 0)
        func = getattr(self.lib, f"gc_edge_weights_{_suffix(dtype)}")
        _check(func(len(p), len(a), _ptr(a), _ptr(b), _ptr(p), _ptr(n), flags, _ptr(out)), "edge_weights")
        return out

    def segment_graph(self, num_vertices, a, b, weights, k_thresh, min_size) -> np.ndarray:
        w = np.asarray(weights)
        dtype = np.float32 if w.dtype == np.float32 else np.float64
        w = np.ascontiguousarray(w, dtype=dtype)
        a = np.ascontiguousarray(a, dtype=np.int64)
        b = np.ascontiguousarray(b, dtype=np.int64)
        out = np.empty(int(num_vertices), dtype=np.int64)
        func = getattr(self.lib, f"gc_segment_graph_{_suffix(dtype)}")
        code = func(int(num_vertices), len(a), _ptr(a), _ptr(b), _ptr(w), k_thresh, int(min_size), _ptr(out))
        _check(code, "segment_graph")
        return out

    def segment_mesh(self, vertices, faces, k_thresh, min_size, dtype=np.float32) -> np.ndarray:
        v = np.ascontiguousarray(vertices, dtype=dtype)
        f = np.ascontiguousarray(faces, dtype=np.int64).reshape(-1, 3)
        out = np.empty(len(v), dtype=np.int64)
        func = getattr(self.lib, f"gc_segment_mesh_{_suffix(dtype)}")
        _check(func(len(v), _ptr(v), len(f), _ptr(f), k_thresh, int(min_size), _ptr(out)), "segment_mesh")
        return out


class PythonBackend:
    """The numpy/Python reference (:mod:`graph_cut_python`), same interface as :class:`CompiledBackend`."""

    name = "python"
    mesh_vertex_normals = staticmethod(_py.mesh_vertex_normals)
    edge_weights = staticmethod(_py.edge_weights)
    segment_graph = staticmethod(_py.segment_graph)
    segment_mesh = staticmethod(_py.segment_mesh)


def get_backend(name: str | None = None) -> CompiledBackend | PythonBackend:
    """Backend ``auto``/``compiled``/``python`` (default: ``$POINTCEPT_GRAPH_CUT_BACKEND``, else auto)."""
    global _warned
    name = (name or os.environ.get(ENV_BACKEND) or "auto").strip().lower()
    if name not in ("auto", "compiled", "python"):
        raise ValueError(f"graph cut backend must be auto, compiled or python, not {name!r}")
    if name == "python":
        return PythonBackend()
    lib = load_library()
    if lib is not None:
        return CompiledBackend(lib)
    if name == "compiled":
        raise RuntimeError(f"compiled graph cut backend unavailable: {library_error()}")
    if not _warned:
        _warned = True
        warnings.warn(
            f"graph cut: compiled backend unavailable ({library_error()}); using the much slower "
            "numpy/Python fallback (identical results)",
            RuntimeWarning,
            stacklevel=2,
        )
    return PythonBackend()


def _reset_for_tests() -> None:
    """Forget the loaded library and the warning (tests switch environments)."""
    global _library, _library_error, _loaded, _warned
    with _lock:
        _library, _library_error, _loaded, _warned = None, None, False, False


if __name__ == "__main__":  # pragma: no cover - `python -m ...graph_cut_lib` builds the cache entry
    print(compile_library())
    sys.exit(0)
