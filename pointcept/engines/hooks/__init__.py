"""Trainer hooks, one small module per concern; importing registers them in ``HOOKS``."""

from .base import HOOKS, HookBase, build_hooks
from .budget import TimeBudget
from .checkpoint import CheckpointLoader, CheckpointSaver
from .detection import DetectionEvaluator  # noqa: F401  (registers the detection mAP hook)
from .evaluator import SemSegEvaluator
from .instance import InsSegEvaluator  # noqa: F401  (registers the instance AP hook)
from .logging import InformationWriter
from .model import ModelHook
from .precise import PreciseEvaluator
from .timer import IterationTimer
from .visualize import GroupContrastVisualizer  # noqa: F401  (registers the tensorboard picture hook)
from .wandb import WandbLogger  # optional W&B mirror of the tensorboard scalars; imports wandb only when built

__all__ = [
    "HOOKS", "HookBase", "build_hooks", "CheckpointLoader", "CheckpointSaver", "SemSegEvaluator",
    "InformationWriter", "ModelHook", "PreciseEvaluator", "IterationTimer", "TimeBudget", "WandbLogger",
]
