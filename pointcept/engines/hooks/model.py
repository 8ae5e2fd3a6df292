"""Forwards trainer events to the model, the natural home of schedules that live with the model
(GroupContrast's teacher momentum, for example)."""

from __future__ import annotations

from pointcept.models.weights import unwrap_model
from .base import HOOKS, HookBase

EVENTS = ("before_train", "before_epoch", "before_step", "after_step", "after_epoch", "after_train")


@HOOKS.register_module()
class ModelHook(HookBase):
    """Calls the (unwrapped) model's method of the same name, when it has one, for every trainer event.

    A model that wants the trainer (iteration counters, ``max_iter``) defines ``bind_trainer(trainer)``;
    it receives a weak proxy before ``before_train``.
    """

    def _dispatch(self, event: str) -> None:
        method = getattr(unwrap_model(self.trainer.model), event, None)
        if callable(method):
            method()

    def before_train(self) -> None:
        model = unwrap_model(self.trainer.model)
        if callable(getattr(model, "bind_trainer", None)):
            model.bind_trainer(self.trainer)
        self._dispatch("before_train")

    def before_epoch(self) -> None:
        self._dispatch("before_epoch")

    def before_step(self) -> None:
        self._dispatch("before_step")

    def after_step(self) -> None:
        self._dispatch("after_step")

    def after_epoch(self) -> None:
        self._dispatch("after_epoch")

    def after_train(self) -> None:
        self._dispatch("after_train")
