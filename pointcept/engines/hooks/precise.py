"""Whole-scene evaluation of the best (or last) model once training has finished."""

from __future__ import annotations

import os

from pointcept.models.weights import load_weights

from ..testers import build_tester
from .base import HOOKS, HookBase


@HOOKS.register_module()
class PreciseEvaluator(HookBase):
    """Runs the configured tester on ``data.test`` after training, with ``model_best.pth`` unless
    ``test_last`` (or no best model exists)."""

    def __init__(self, test_last: bool = False):
        self.test_last = test_last

    def after_train(self) -> None:
        trainer = self.trainer
        if not trainer.finished_cleanly:
            return
        best = os.path.join(trainer.cfg.save_path, "model", "model_best.pth")
        if not self.test_last and os.path.isfile(best):
            trainer.logger.info(f"Precise evaluation with {best}")
            load_weights(trainer.model, best, strict=True)
        else:
            trainer.logger.info("Precise evaluation with the last model")
        tester = build_tester(trainer.cfg, model=trainer.eval_model)
        trainer.test_result = tester.test()
