"""Hook interface and registry.

The trainer calls, in this order: ``before_train``; per epoch ``before_epoch``, then per iteration
``before_step`` -> ``run_step`` -> ``after_step``, then ``after_epoch``; finally ``after_train``, which
runs even when training raised. Hooks keep a weak proxy of the trainer, so there is no reference cycle.
A hook with state (e.g. a best metric) returns it from ``state_dict`` so that ``--resume`` restores it.

The trainer's "epoch" is an evaluation round of ``epoch // eval_epoch`` passes over the data; a hook option
given in epochs (``every_n_epochs``, ``save_freq``, ``interval``) counts passes over the data and is checked
at round ends with :func:`every_n_data_epochs`.
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


def every_n_data_epochs(trainer: Any, n: int) -> bool:
    """Whether the round now ending completed a multiple of ``n`` passes over the data set.

    Hooks run at round ends, so "every n epochs" fires at the end of each round during which the pass
    count crossed a multiple of ``n`` (every round when a round makes n passes or more). A trainer without
    ``epochs_per_round`` (a stand-in in tests) counts one pass per round.
    """
    per_round = int(getattr(trainer, "epochs_per_round", 1) or 1)
    done = (trainer.epoch + 1) * per_round
    n = max(int(n), 1)
    return done // n > (done - per_round) // n


def build_hooks(cfg: list[dict]) -> list[HookBase]:
    return [HOOKS.build(c) for c in cfg]
