"""VoteNet 3D object detection (``VoteNet``): voting, proposals, losses and the box parametrisation."""

from .box_coder import BoxCoder, points_in_boxes
from .losses import votenet_losses
from .model import VoteNet

__all__ = ["VoteNet", "BoxCoder", "points_in_boxes", "votenet_losses"]
