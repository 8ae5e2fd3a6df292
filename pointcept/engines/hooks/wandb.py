"""Optional Weights & Biases logging (Pointcept's ``enable_wandb``, ``wandb_project``, ``wandb_key``).

``enable_wandb=True`` adds :class:`WandbLogger` to the hooks (or list it yourself to pass options). It logs
exactly the scalars the tensorboard writer receives, whichever hook writes them (``train_batch/*`` per
optimizer step, ``train/*`` and ``val/*`` per round, ...): it wraps ``trainer.writer`` so that every
``add_scalar`` also goes to W&B, each tag family against its own step axis (``train_batch/*`` against
``step/train_batch``, and so on), since tensorboard steps of different families are not comparable.

* ``wandb`` is an optional dependency, imported here only: enabling it without the package fails at trainer
  construction with the ``pip install wandb`` line.
* Main process only (the other ranks have no writer and do nothing).
* Offline mode (``WANDB_MODE=offline``, sync later with ``wandb sync <save_path>/wandb``) when there is no
  key (neither ``wandb_key`` nor ``WANDB_API_KEY`` nor a ``wandb login`` in ``~/.netrc``) or the W&B server
  cannot be reached; an explicit ``WANDB_MODE`` in the environment always wins.
* The run id is kept in the checkpoint, so ``resume=True`` continues the same W&B run.
"""

from __future__ import annotations

import netrc
import os
import socket
from pathlib import Path
from typing import Any

from pointcept.utils.comm import is_main_process

from .base import HOOKS, HookBase

WANDB_HOST = "api.wandb.ai"
INSTALL_HINT = "enable_wandb=True needs the wandb package: pip install wandb (or set enable_wandb=False)"


def import_wandb() -> Any:
    """``import wandb``, or an ImportError that says how to install it.

    Why: wandb is optional; a bare ``ModuleNotFoundError`` deep in a hook does not say which config key
    asked for it.
    """
    try:
        import wandb
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    return wandb


def wandb_reachable(host: str = WANDB_HOST, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the W&B server opens within ``timeout`` seconds.

    Why: online mode on a machine without network makes ``wandb.init`` retry for minutes before failing;
    offline mode keeps the run and the logs, to be synced later.
    """
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _has_login(host: str = WANDB_HOST) -> bool:
    if os.environ.get("WANDB_API_KEY"):
        return True
    try:
        return netrc.netrc(os.environ.get("NETRC") or Path.home() / ".netrc").authenticators(host) is not None
    except (OSError, netrc.NetrcParseError):
        return False


class _TeeWriter:
    """The tensorboard writer, with every ``add_scalar`` also sent to W&B; anything else goes to tensorboard."""

    def __init__(self, writer: Any, log: Any):
        self._writer = writer
        self._log = log

    def add_scalar(self, tag: str, value: Any, global_step: int | None = None, *args: Any, **kwargs: Any) -> None:
        if self._writer is not None:
            self._writer.add_scalar(tag, value, global_step, *args, **kwargs)
        self._log(tag, value, global_step)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


@HOOKS.register_module()
class WandbLogger(HookBase):
    """Mirror the tensorboard scalars to a W&B run (see the module docstring).

    Args:
        project: W&B project (default: the config's ``wandb_project``, else "pointcept").
        name: run name (default: the last two parts of ``save_path``, e.g. ``scannet/gc``, as Pointcept).
        key: API key (default: the config's ``wandb_key``).
        tags: extra run tags (the data set folder of ``save_path`` is always one).
    """

    def __init__(self, project: str | None = None, name: str | None = None, key: str | None = None,
                 tags: list[str] | None = None):
        self.project, self.name, self.key, self.tags = project, name, key, list(tags or [])
        self.wandb = import_wandb() if is_main_process() else None
        self.run: Any = None
        self.run_id: str | None = None
        self.mode: str | None = None
        self._axes: set[str] = set()

    def state_dict(self) -> dict:
        return {"run_id": self.run_id} if self.run_id else {}

    def load_state_dict(self, state: dict) -> None:
        self.run_id = state.get("run_id") or None

    def choose_mode(self, key: str | None) -> tuple[str, str]:
        """``(mode, why)``: ``WANDB_MODE`` if set, else offline without a key or without network.

        Why: online mode without a key or a reachable server stalls or fails ``wandb.init``; offline keeps
        the logs for ``wandb sync``, and an explicit ``WANDB_MODE`` is the user's choice.
        """
        if os.environ.get("WANDB_MODE"):
            return os.environ["WANDB_MODE"], "WANDB_MODE is set"
        if not key and not _has_login():
            return "offline", "no wandb_key, WANDB_API_KEY or `wandb login`"
        if not wandb_reachable():
            return "offline", f"{WANDB_HOST} cannot be reached"
        return "online", "key and network present"

    def before_train(self) -> None:
        trainer = self.trainer
        if self.wandb is None or not is_main_process():
            return
        cfg = trainer.cfg
        wandb = self.wandb
        key = self.key or cfg.get("wandb_key")
        self.mode, why = self.choose_mode(key)
        if self.mode == "online" and key:
            wandb.login(key=key, relogin=True)
        save_path = Path(cfg.save_path)
        parts = save_path.parts[-2:]
        self.run = wandb.init(
            project=self.project or cfg.get("wandb_project") or "pointcept",
            name=self.name or "/".join(parts),
            tags=[*parts[:-1], *self.tags],
            dir=str(save_path),
            config=cfg.to_dict() if hasattr(cfg, "to_dict") else dict(cfg),
            mode=self.mode,
            id=self.run_id,
            resume="allow" if self.run_id else None,
        )
        self.run_id = getattr(self.run, "id", None) or self.run_id
        trainer.logger.info(f"W&B run {self.run_id} ({self.mode}: {why}) in {save_path / 'wandb'}")
        trainer.writer = _TeeWriter(trainer.writer, self.log_scalar)

    def log_scalar(self, tag: str, value: Any, step: int | None) -> None:
        """Log one tensorboard scalar to W&B against the step axis of its tag family.

        Why: tensorboard steps differ per family (optimizer steps for ``train_batch/*``, rounds for ``val/*``)
        while W&B has one monotonic step; a per-family step metric keeps each curve on its own x axis.
        """
        family = tag.split("/", 1)[0]
        axis = f"step/{family}"
        pattern = f"{family}/*" if "/" in tag else tag
        if pattern not in self._axes:
            self._axes.add(pattern)
            self.wandb.define_metric(axis)
            self.wandb.define_metric(pattern, step_metric=axis)
        value = value.item() if hasattr(value, "item") else value
        record = {tag: float(value)}
        if step is not None:
            record[axis] = step
        self.wandb.log(record)

    def after_train(self) -> None:
        if self.run is None:
            return
        trainer = self.trainer
        if isinstance(trainer.writer, _TeeWriter):
            trainer.writer = trainer.writer._writer
        self.wandb.finish(exit_code=0 if getattr(trainer, "finished_cleanly", True) else 1)
        self.run = None
