"""Registered losses; ``build_criteria`` sums a configured list of them."""

from .builder import LOSSES, Criteria, build_criteria, build_loss
from .classification import CrossEntropyLoss

__all__ = ["LOSSES", "Criteria", "build_criteria", "build_loss", "CrossEntropyLoss"]
