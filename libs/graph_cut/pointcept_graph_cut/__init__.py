"""Pre-built graph cut library for pointcept (plain C ABI; pointcept loads it with ctypes)."""

from pathlib import Path


def library_path() -> str:
    """Path of the shared library installed with this package."""
    here = Path(__file__).resolve().parent
    found = sorted(here.glob("_graph_cut*.so")) + sorted(here.glob("_graph_cut*.pyd"))
    if not found:
        raise FileNotFoundError(f"no built _graph_cut library in {here}")
    return str(found[0])
