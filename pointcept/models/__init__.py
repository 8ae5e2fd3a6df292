"""Models. ``build_model(cfg)`` builds any registered model; importing this package registers the families.

A family whose optional backend is missing registers nothing, and ``import pointcept.models`` still works;
building one of its models then raises :class:`ModelUnavailableError` that says what to install.
"""

from __future__ import annotations

from . import default, group_contrast, point_group, point_mlp  # noqa: F401  (segmentors, GC, PG, debug MLP)
from . import votenet  # noqa: F401  (VoteNet detector)
from . import masked_scene_contrast  # noqa: F401  (MSC-v1m1, MSC-v1m2 / CSC-v1m1, PointContrast-v1m1)
from .builder import MODELS, ModelUnavailableError, build_model, mark_unavailable, unavailable_models

# Names each optional family registers, so a missing backend can be reported by model name.
SPARSE_UNET_MODELS = ("SpUNet-v1m1",)

_BACKEND_MODULES = ("spconv", "spconv_triton", "cumm")


def _is_missing_backend(error: ImportError) -> bool:
    """True for 'no sparse backend here'; False for an import bug in our own code (re-raised)."""
    if type(error).__name__ == "SparseBackendUnavailable":
        return True
    missing = (getattr(error, "name", None) or "").split(".")[0]
    return isinstance(error, ModuleNotFoundError) and missing in _BACKEND_MODULES


def _import_sparse_unet() -> None:
    try:
        from . import sparse_unet  # noqa: F401  (registers SpUNet-v1m1)
    except ImportError as error:
        if not _is_missing_backend(error):
            raise
        hint = "" if "install" in str(error) else (
            ". Install one: `pip install spconv` (CPU), `pip install spconv-cuXXX` matching "
            "torch.version.cuda (CUDA) or `pip install spconv-triton` (GPU); scripts/setup.sh picks one"
        )
        mark_unavailable(SPARSE_UNET_MODELS, "sparse_unet", f"{type(error).__name__}: {error}{hint}")


_import_sparse_unet()

__all__ = ["MODELS", "build_model", "ModelUnavailableError", "unavailable_models", "SPARSE_UNET_MODELS"]
