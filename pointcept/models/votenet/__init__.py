"""VoteNet 3D object detection (``VoteNet``): voting, proposals, losses and the box parametrisation."""

from pointcept.utils.boxes import points_in_boxes  # re-exported: its old public path

from .box_coder import BoxCoder
from .losses import votenet_losses
from .model import VoteNet

__all__ = ["VoteNet", "BoxCoder", "points_in_boxes", "votenet_losses"]
