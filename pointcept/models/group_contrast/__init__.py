"""GroupContrast: segment grouping + semantic-aware contrastive pretraining (``GC-v1m1``)."""

from .losses import group_loss, semantic_contrast_loss
from .model import GroupContrast

__all__ = ["GroupContrast", "group_loss", "semantic_contrast_loss"]
