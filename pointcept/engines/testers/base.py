"""What every tester shares: the trained model, the whole-scene test loader, the task's evaluator and the
test loop (predict each scene, feed the evaluator, reduce across ranks once, log the result)."""

from __future__ import annotations

import os
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from pointcept.datasets import build_split_dataset
from pointcept.datasets.defaults import fix_eval_seed
from pointcept.evaluation.evaluator import DatasetEvaluator
from pointcept.models import build_model
from pointcept.models.weights import load_weights, unwrap_model
from pointcept.utils.comm import default_device, get_rank, get_world_size, to_device
from pointcept.utils.logger import get_logger
from pointcept.utils.registry import Registry

from ..samplers import InferenceSampler

TESTERS = Registry("testers")

__all__ = ["TESTERS", "TesterBase"]


def _first(batch: list) -> Any:
    return batch[0]


class TesterBase:
    """Builds (or takes) the model, the test-mode loader (one whole scene per item) and the evaluator.

    A subclass sets its own options before calling ``super().__init__`` (``build_evaluator`` reads them)
    and implements ``build_evaluator`` and ``test_scene``; :meth:`test` runs the loop.
    """

    def __init__(self, cfg: Any, model: nn.Module | None = None, verbose: bool = True):
        self.cfg = cfg
        self.verbose = verbose
        self.logger = get_logger(log_file=os.path.join(cfg.save_path, "test.log"))
        self.device = default_device()
        # unwrapped: ranks test different scenes, and DDP's forward would wait for the others
        self.model = unwrap_model(model) if model is not None else self.build_model()
        self.test_loader = self.build_test_loader()
        self.evaluator = self.build_evaluator()

    def build_model(self) -> nn.Module:
        model = build_model(self.cfg.model).to(self.device)
        weight = self.cfg.get("weight")
        if not weight:
            raise ValueError("testing needs trained weights: pass --options weight=path/to/model_best.pth")
        report = load_weights(model, weight)
        self.logger.info(f"Loaded {weight}:\n{report.summary()}")
        if report.missing or report.shape_mismatch:
            raise KeyError(f"{weight} does not fit the configured model:\n{report.summary()}")
        return model

    def build_test_loader(self) -> DataLoader:
        dataset = build_split_dataset(self.cfg.data.test, self.cfg.data)
        fix_eval_seed(dataset, self.cfg.get("seed"))
        return DataLoader(
            dataset,
            batch_size=1,
            sampler=InferenceSampler(len(dataset), get_world_size(), get_rank()),
            num_workers=max(self.cfg.get("num_worker", 0) // get_world_size(), 0),
            collate_fn=_first,
        )

    def build_evaluator(self) -> DatasetEvaluator:  # pragma: no cover - interface
        """The task's evaluator (the one its validation hook uses), on this tester's device."""
        raise NotImplementedError

    def forward(self, input_dict: dict) -> dict:
        """The model's output on one collated input, moved to the test device first."""
        return self.model(to_device(input_dict, self.device))

    def before_test(self) -> None:
        """Called once before the first scene (e.g. to create the output folder)."""

    def test_scene(self, index: int, sample: dict) -> None:  # pragma: no cover - interface
        """Predict one test item, feed ``self.evaluator.process`` and write the scene's files."""
        raise NotImplementedError

    def after_test(self, metrics: dict) -> None:
        """Called once with the final metrics, after they are logged."""

    @torch.no_grad()
    def test(self) -> dict:
        """Every scene of this rank through :meth:`test_scene`, then the metrics over all ranks."""
        self.model.eval()
        self.evaluator.reset()
        self.before_test()
        for index, sample in enumerate(self.test_loader):
            self.test_scene(index, sample)
        metrics = self.evaluator.evaluate()
        for line in self.evaluator.result_lines(metrics, "Test"):
            self.logger.info(line)
        self.after_test(metrics)
        return metrics
