"""Point-cloud transforms, one module per kind; importing this package registers them all."""

from .base import TRANSFORMS, Compose, Transform, add_point_key, build_transform, index_operator, point_keys
from . import color, formatting, geometric, instance, sampling  # noqa: F401  (registers the transforms)
from . import views  # noqa: F401  (ContrastiveViewsGenerator)
from . import detection  # noqa: F401  (box-aware flips, rotations, scales)

__all__ = ["TRANSFORMS", "Compose", "Transform", "add_point_key", "build_transform", "index_operator", "point_keys"]
