"""Hook interface and registry.

The trainer calls, in this order: ``before_train``; per epoch ``before_epoch``, then per iteration
``before_step`` -> ``run_step`` -> ``after_step``, then ``after_epoch``; finally ``after_train``, which
runs even when training raised. Hooks keep a weak proxy of the trainer, so there is no reference cycle.
A hook with state (e.g. a best metric) returns it from ``state_dict`` so that ``--resume`` restores it.
"""

from __future__ import annotations

import weakref
from typing import Any

from pointcept.utils.registry import Registry

HOOKS = Registry("hooks")


class HookBase:
    trainer: Any = None

    def bind(self, trainer: Any) -> None:
        self.trainer = trainer if isinstance(trainer, weakref.ProxyTypes) else weakref.proxy(trainer)

    def before_train(self) -> None: ...

    def before_epoch(self) -> None: ...

    def before_step(self) -> None: ...

    def after_step(self) -> None: ...

    def after_epoch(self) -> None: ...

    def after_train(self) -> None: ...

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None: ...


def build_hooks(cfg: list[dict]) -> list[HookBase]:
    return [HOOKS.build(c) for c in cfg]
