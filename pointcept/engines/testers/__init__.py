"""Testers: whole-scene evaluation of a trained model (``tools/test.py`` and ``PreciseEvaluator``).

One module per task; each tester feeds the evaluator its validation hook uses
(:mod:`pointcept.evaluation.evaluator`). Importing this package registers them all in ``TESTERS``.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from .base import TESTERS, TesterBase
from .detection import DetectionTester
from .instance import InsSegTester
from .semseg import SemSegTester

__all__ = ["TESTERS", "TesterBase", "build_tester", "SemSegTester", "InsSegTester", "DetectionTester"]


def build_tester(cfg: Any, model: nn.Module | None = None) -> TesterBase:
    """The tester of ``cfg.test`` (default ``SemSegTester``), on ``model`` or on ``cfg.weight``."""
    test_cfg = dict(cfg.get("test", {"type": "SemSegTester"}))
    return TESTERS.build(test_cfg, cfg=cfg, model=model)
