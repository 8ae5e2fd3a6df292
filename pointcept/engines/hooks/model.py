"""Forwards trainer events to the model when the model is itself a hook (momentum/temperature schedules)."""

from __future__ import annotations

from ..checkpoint import unwrap_model
from .base import HOOKS, HookBase


@HOOKS.register_module()
class ModelHook(HookBase):
    """Calls the same-named method of the (unwrapped) model if it defines one, with the trainer bound."""

    def _model(self):
        return unwrap_model(self.trainer.model)

    def _forward(self, event: str) -> None:
        model = self._model()
        method = getattr(model, event, None)
        if callable(method) and isinstance(model, HookBase):
            method()

    def before_train(self) -> None:
        model = self._model()
        if isinstance(model, HookBase):
            model.bind(self.trainer)
        self._forward("before_train")

    def before_epoch(self) -> None:
        self._forward("before_epoch")

    def before_step(self) -> None:
        self._forward("before_step")

    def after_step(self) -> None:
        self._forward("after_step")

    def after_epoch(self) -> None:
        self._forward("after_epoch")

    def after_train(self) -> None:
        self._forward("after_train")
