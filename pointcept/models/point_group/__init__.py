"""PointGroup instance segmentation (``PG-v1m1``): model, torch-only dual-set clustering, offset losses."""

from .clustering import cluster_labels, group_instances, radius_components
from .losses import offset_losses
from .model import PointGroup

__all__ = ["PointGroup", "group_instances", "cluster_labels", "radius_components", "offset_losses"]
