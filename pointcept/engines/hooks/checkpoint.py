"""Weight loading (``weight=``), resuming (``resume=True``) and checkpoint saving."""

from __future__ import annotations

import os
import shutil

from pointcept.models.weights import BackboneLoadError, load_backbone_weights
from pointcept.utils.comm import all_gather_object, is_main_process, synchronize
from pointcept.utils.io import atomic_path
from pointcept.utils.seed import rng_state

from ..checkpoint import remove_stale_checkpoint_tmp, save_checkpoint
from .base import HOOKS, HookBase, every_n_data_epochs

@HOOKS.register_module()
class CheckpointLoader(HookBase):
    """Loads ``cfg.weight`` before training; with ``cfg.resume`` restores the whole training state.

    ``keywords``/``replacement`` (Pointcept's arguments) or ``mapping`` (a list of ``(old_prefix,
    new_prefix)`` pairs) rename checkpoint keys, e.g. ``("student.backbone.", "backbone.")`` to fine-tune
    from a GroupContrast checkpoint; ``keep_unmapped=False`` then ignores the rest of the checkpoint
    (teacher, projectors). Without a hook-level mapping, the config's ``weight_mapping`` and
    ``weight_keep_unmapped`` apply. ``strict=True`` fails on any mismatch instead of reporting it.

    Without a mapping, or when none of its rules matches a checkpoint key, the backbone's prefix is
    detected (``[module.]student.backbone.``, ``[module.]backbone.``, a bare backbone ...). Training stops
    with :class:`~pointcept.models.weights.BackboneLoadError` unless every backbone tensor loads, the
    task head (``backbone.final.*``) excepted; ``allow_partial`` (default: the config's
    ``weight_allow_partial``: ``True`` or a list of allowed-missing key prefixes) permits a partial load.
    See :func:`~pointcept.models.weights.load_backbone_weights`.
    """

    def __init__(
        self,
        keywords: str = "",
        replacement: str | None = None,
        mapping: list | None = None,
        strict: bool = False,
        keep_unmapped: bool = True,
        allow_partial: bool | list | None = None,
    ):
        self.mapping = [tuple(m) for m in (mapping or [])]
        if keywords or replacement:
            self.mapping.append((keywords, replacement if replacement is not None else keywords))
        self.strict = strict
        self.keep_unmapped = keep_unmapped
        self.allow_partial = allow_partial

    def before_train(self) -> None:
        trainer = self.trainer
        cfg = trainer.cfg
        if cfg.get("resume") and os.path.isfile(trainer.last_checkpoint_path):
            trainer.resume_from(trainer.last_checkpoint_path)
            return
        if cfg.get("resume"):
            trainer.logger.warning(f"resume=True but {trainer.last_checkpoint_path} does not exist: starting fresh")
        if cfg.get("weight"):
            trainer.logger.info(f"Loading weight: {cfg.weight}")
            mapping = self.mapping or [tuple(m) for m in cfg.get("weight_mapping") or []]
            keep = self.keep_unmapped and cfg.get("weight_keep_unmapped", True)
            partial = self.allow_partial
            if partial is None:
                partial = cfg.get("weight_allow_partial", False)
            try:
                report = load_backbone_weights(trainer.model, cfg.weight, mapping, keep_unmapped=keep,
                                               allow_partial=partial, strict=self.strict)
            except BackboneLoadError as error:
                trainer.logger.error(f"{error}\nAll backbone tensors not loaded: {', '.join(error.missing)}")
                raise
            trainer.logger.info(f"Weight report for {cfg.weight}:\n{report.summary()}")
            trainer.weight_report = report


@HOOKS.register_module()
class CheckpointSaver(HookBase):
    """After each epoch writes ``model/model_last.pth`` (everything needed to resume) and, when the
    evaluator reported a better metric, ``model/model_best.pth``; ``save_freq`` keeps ``epoch_N.pth`` every
    ``save_freq`` passes over the data (at the end of the round that completes them; N = passes done)."""

    def __init__(self, save_freq: int | None = None):
        self.save_freq = save_freq

    def before_train(self) -> None:
        # a kill during a save leaves the atomic write's temp file behind; no save is in flight yet
        if is_main_process():
            folder = os.path.dirname(self.trainer.last_checkpoint_path)
            remove_stale_checkpoint_tmp(folder, log=self.trainer.logger.info)

    def after_epoch(self) -> None:
        trainer = self.trainer
        is_best = False
        if "current_metric_value" in trainer.comm_info:
            value = trainer.comm_info["current_metric_value"]
            name = trainer.comm_info.get("current_metric_name", "metric")
            if trainer.best_metric_value is None or value > trainer.best_metric_value:
                trainer.best_metric_value = value
                is_best = True
                trainer.logger.info(f"Best validation {name} updated to: {value:.4f}")
            trainer.logger.info(f"Currently best {name}: {trainer.best_metric_value:.4f}")
        rng_states = all_gather_object(rng_state())  # every rank's RNG, so a resume continues each stream
        if is_main_process():
            path = trainer.last_checkpoint_path
            save_checkpoint(path, **trainer.checkpoint_state(), rng=rng_states)
            if is_best:
                with atomic_path(os.path.join(os.path.dirname(path), "model_best.pth")) as tmp:
                    shutil.copyfile(path, tmp)
            if self.save_freq and every_n_data_epochs(trainer, self.save_freq):
                done = (trainer.epoch + 1) * getattr(trainer, "epochs_per_round", 1)
                with atomic_path(os.path.join(os.path.dirname(path), f"epoch_{done}.pth")) as tmp:
                    shutil.copyfile(path, tmp)
        synchronize()
