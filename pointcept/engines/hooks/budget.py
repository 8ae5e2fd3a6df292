"""A wall-clock budget for training: stop cleanly after ``minutes``, then evaluate as usual.

Comparing pretraining methods "at equal budget" needs the budget enforced by the trainer, not by a kill:
a killed run has no test result. ``TimeBudget(minutes=M)`` works with any trainer built on
``TrainerBase`` and leaves the configured schedule alone (the learning rate follows the configured
``epoch`` count; a budget that ends early simply stops on that schedule where it is):

* Time counts from ``before_train`` and includes per-epoch validation and checkpointing; it is carried
  over a resume through the checkpoint (time after the last checkpoint is redone, so counted again).
* When the budget is spent, the current epoch ends after the running step, so that epoch's evaluation
  and checkpoint still run; every later epoch is empty and the other hooks skip their per-epoch work.
  ``after_train`` then runs normally (``finished_cleanly`` is True), so ``PreciseEvaluator`` tests the
  best model.
* Under DDP rank 0's clock decides for all ranks (one broadcast per step), so no rank waits forever.
* What was done is recorded in ``trainer.comm_info["time_budget"]`` and in the log: steps, epochs,
  seconds, and whether the budget stopped the run.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Iterator

from pointcept.utils.comm import broadcast_object, get_world_size

from .base import HOOKS, HookBase


class _BudgetedLoader:
    """Yields batches of ``loader`` until ``hook.expired``; the epoch loop then ends normally."""

    def __init__(self, loader: Iterable, hook: "TimeBudget"):
        self.loader = loader
        self.hook = hook

    def __len__(self) -> int:
        return 0 if self.hook.expired else len(self.loader)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator:
        if self.hook.expired:
            return
        for batch in self.loader:
            yield batch
            if self.hook.expired:
                return


class _AfterTrainOnly(HookBase):
    """Stands in for a hook once the budget is spent: only ``after_train`` (the final test) still runs."""

    def __init__(self, hook: HookBase):
        self.hook = hook

    def after_train(self) -> None:
        self.hook.after_train()

    def state_dict(self) -> dict:
        return self.hook.state_dict()


@HOOKS.register_module()
class TimeBudget(HookBase):
    """Stop training cleanly after ``minutes`` of wall-clock time (see the module docstring).

    Args:
        minutes: the budget; ``None`` or <= 0 disables the hook (it then only records the time used).
    """

    def __init__(self, minutes: float | None = None):
        self.budget_s = float(minutes) * 60.0 if minutes and minutes > 0 else None
        self.elapsed_before = 0.0  # seconds spent in earlier processes of this run (from the checkpoint)
        self.expired = False
        self.stopped_at: dict[str, Any] | None = None
        self._start = 0.0
        self._suppressed = False

    # ------------------------------------------------------------------------------ bookkeeping
    def elapsed(self) -> float:
        return self.elapsed_before + (time.perf_counter() - self._start if self._start else 0.0)

    def record(self) -> dict[str, Any]:
        trainer = self.trainer
        info = {
            "budget_minutes": self.budget_s / 60.0 if self.budget_s else None,
            "elapsed_seconds": round(self.elapsed(), 3),
            "steps": int(trainer.global_iter),
            "max_steps": int(trainer.max_iter),
            "stopped_by_budget": bool(self.expired),
            "stopped_at": self.stopped_at,
        }
        trainer.comm_info["time_budget"] = info
        return info

    def state_dict(self) -> dict:
        return {"elapsed": self.elapsed(), "expired": self.expired, "stopped_at": self.stopped_at}

    def load_state_dict(self, state: dict) -> None:
        self.elapsed_before = float(state.get("elapsed", 0.0))
        self.expired = bool(state.get("expired", False))
        self.stopped_at = state.get("stopped_at")
        self._start = time.perf_counter()

    # ------------------------------------------------------------------------------ trainer events
    def before_train(self) -> None:
        trainer = self.trainer
        self._start = time.perf_counter()
        original = trainer.train_loader_for_epoch

        def budgeted(epoch: int) -> Iterable:
            return _BudgetedLoader(original(epoch), self)

        trainer.train_loader_for_epoch = budgeted
        if self.budget_s is not None:
            trainer.logger.info(f"Time budget: {self.budget_s / 60.0:g} min (schedule over {trainer.max_epoch} rounds)")
        # resume happens in CheckpointLoader.before_train, which may run after this hook: check lazily

    def before_epoch(self) -> None:
        if self.expired:
            self._suppress_other_hooks()

    def after_step(self) -> None:
        if self.budget_s is None or self.expired:
            return
        over = self.elapsed() >= self.budget_s
        if get_world_size() > 1:
            over = bool(broadcast_object(over))
        if over:
            trainer = self.trainer
            self.expired = True
            self.stopped_at = {"epoch": int(trainer.epoch + 1), "iter": int(trainer.iter + 1),
                               "global_iter": int(trainer.global_iter)}
            trainer.logger.info(
                f"Time budget of {self.budget_s / 60.0:g} min reached after step {trainer.global_iter} "
                f"(round {trainer.epoch + 1}/{trainer.max_epoch}, {self.elapsed():.0f} s): stopping training; "
                "this round's evaluation and checkpoint still run"
            )

    def after_epoch(self) -> None:
        self.record()

    def after_train(self) -> None:
        info = self.record()
        self.trainer.logger.info(
            f"Training time {info['elapsed_seconds']:.0f} s, {info['steps']}/{info['max_steps']} steps"
            + (", stopped by the time budget" if info["stopped_by_budget"] else "")
        )

    def _suppress_other_hooks(self) -> None:
        """Once spent, later (empty) epochs must not evaluate or checkpoint again: keep only after_train."""
        if self._suppressed:
            return
        self._suppressed = True
        trainer = self.trainer
        trainer.hooks = [h if h is self or isinstance(h, _AfterTrainOnly) else _AfterTrainOnly(h) for h in trainer.hooks]
