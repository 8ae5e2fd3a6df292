"""The training loop (``TrainerBase``) and the config-driven ``Trainer`` built on it."""

from __future__ import annotations

import contextlib
import os
from functools import partial
from typing import Any, Iterable

import torch
from torch import nn
from torch.utils.data import DataLoader

from pointcept.datasets import build_split_dataset
from pointcept.datasets.collate import point_collate_fn
from pointcept.datasets.defaults import fix_eval_seed
from pointcept.models import build_model
from pointcept.models.layers.sync_batchnorm import convert_sync_batchnorm
from pointcept.models.weights import unwrap_model
from pointcept.utils.checkpoint_io import CheckpointLoadError, safe_torch_load
from pointcept.utils.comm import default_device, get_rank, get_world_size, is_main_process, to_device
from pointcept.utils.events import EventStorage
from pointcept.utils.logger import get_logger
from pointcept.utils.optimizer import build_optimizer
from pointcept.utils.registry import Registry
from pointcept.utils.scheduler import build_scheduler
from pointcept.utils.seed import set_rng_state

from .defaults import validate_config, warn_unknown_keys
from .hooks import HookBase, build_hooks
from .samplers import EpochShuffleSampler, InferenceSampler, seed_worker

TRAINERS = Registry("trainers")


def passes_per_round(epoch: int, eval_epoch: int) -> int:
    """Passes over the data set in one of the ``eval_epoch`` rounds: ``epoch // eval_epoch``.

    ``epoch`` (passes over the data) must be a multiple of ``eval_epoch`` (rounds), else the rounds could
    not all be equal and the schedule's epochs would not be data passes.
    """
    if eval_epoch <= 0 or epoch <= 0 or epoch % eval_epoch:
        raise ValueError(f"epoch={epoch} must be a positive multiple of eval_epoch={eval_epoch} "
                         "(each of the eval_epoch rounds trains epoch // eval_epoch passes over the data)")
    return epoch // eval_epoch


def micro_batch_groups(loader: Iterable, steps: int) -> Iterable[list]:
    """Lists of ``steps`` consecutive batches of ``loader``, one list per optimizer step.

    Why: with gradient accumulation one optimizer step consumes several micro-batches, and the hooks must
    see optimizer steps (the teacher EMA, the lr, the ETA, the step counters). A last group shorter than
    ``steps`` is dropped, as ``drop_last`` drops a short batch: every step has the same effective batch.
    """
    group: list = []
    for batch in loader:
        group.append(batch)
        if len(group) == steps:
            yield group
            group = []


class TrainerBase:
    """Runs hooks around ``run_step`` for ``max_epoch`` epochs; ``after_train`` runs even on error.

    State the hooks read: ``epoch``/``max_epoch``, ``iter`` (within the epoch), ``iters_per_epoch``,
    ``global_iter`` (optimizer steps done, counted over resumes), ``max_iter``, ``iter_in_run`` (steps in
    this process), ``comm_info`` (``input_dict``, ``model_output_dict`` and hook-to-hook messages).

    Gradient accumulation (``accumulation_steps`` = N > 1): a step of this loop is one optimizer step made
    of N consecutive micro-batches (``comm_info["micro_batches"]``; ``input_dict`` is the first of them), so
    ``iter``, ``global_iter``, ``iters_per_epoch`` (= loader batches // N), ``max_iter``, the schedule's
    total steps and every hook event (``before_step``/``after_step``, the GroupContrast teacher EMA in
    ``ModelHook``) count optimizer steps; ``model_output_dict`` holds the scalars averaged over the N.

    In the config-driven ``Trainer`` (Pointcept's convention) an "epoch" of this loop is an evaluation
    round: ``max_epoch = eval_epoch`` rounds of ``iters_per_epoch`` steps, each making ``epochs_per_round =
    epoch // eval_epoch`` passes over the data set. Options given in epochs (warmup, step decay, checkpoint,
    validation and picture frequencies) mean passes over the data set, and use:

    * ``epochs_per_round``: passes over the data set per round (1 unless a subclass sets it);
    * ``steps_per_data_epoch``: optimizer steps of one pass, ``iters_per_epoch / epochs_per_round`` (=
      ``max_iter / cfg.epoch``), a float: when batches do not divide the data evenly a pass is a fractional
      number of steps, and rounding it here would make every later epoch boundary drift;
    * ``data_epochs_done``: passes completed by the end of the current round,
      ``(epoch + 1) * epochs_per_round``.
    """

    def __init__(self) -> None:
        self.hooks: list[HookBase] = []
        self.epoch = 0
        self.start_epoch = 0
        self.max_epoch = 0
        self.iter = 0
        self.global_iter = 0
        self.iter_in_run = 0
        self.iters_per_epoch = 0
        self.epochs_per_round = 1
        self.accumulation_steps = 1
        self.comm_info: dict[str, Any] = {}
        self.storage = EventStorage()
        self.finished_cleanly = False
        self.logger = get_logger()

    @property
    def max_iter(self) -> int:
        return self.max_epoch * self.iters_per_epoch

    @property
    def steps_per_data_epoch(self) -> float:
        """Optimizer steps of one pass over the data set (not of one round): the unit of epoch-valued options."""
        return self.iters_per_epoch / self.epochs_per_round

    @property
    def data_epochs_done(self) -> int:
        """Passes over the data set completed when the current round ends ("epoch N" in a config's sense)."""
        return (self.epoch + 1) * self.epochs_per_round

    def register_hooks(self, hooks: Iterable[HookBase]) -> None:
        for hook in hooks:
            hook.bind(self)
            self.hooks.append(hook)

    def _call_hooks(self, event: str) -> None:
        for hook in self.hooks:
            getattr(hook, event)()

    def train_loader_for_epoch(self, epoch: int) -> Iterable:  # pragma: no cover - interface
        raise NotImplementedError

    def run_step(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def train(self) -> None:
        self.finished_cleanly = False
        try:
            self._call_hooks("before_train")
            for self.epoch in range(self.start_epoch, self.max_epoch):
                loader = self.train_loader_for_epoch(self.epoch)
                self._call_hooks("before_epoch")
                groups = micro_batch_groups(loader, self.accumulation_steps)
                for self.iter, micro_batches in enumerate(groups):
                    self.comm_info["input_dict"] = micro_batches[0]
                    self.comm_info["micro_batches"] = micro_batches
                    self._call_hooks("before_step")
                    self.run_step()
                    self.global_iter += 1
                    self.iter_in_run += 1
                    self._call_hooks("after_step")
                self._call_hooks("after_epoch")
            self.finished_cleanly = True
        finally:
            self._call_hooks("after_train")


@TRAINERS.register_module("DefaultTrainer")
class Trainer(TrainerBase):
    """Builds model, data, optimizer, schedule and hooks from the config; one DDP-aware training step.

    ``batch_size`` and ``num_worker`` in the config are totals over all processes (Pointcept's meaning),
    split evenly per rank. AMP is used only on CUDA; the CPU trains in float32.
    ``gradient_accumulation_steps`` = N (Pointcept's meaning) steps the optimizer once every N micro-batches of ``batch_size`` with the loss
    scaled by 1/N (DDP syncs gradients on the last micro-batch only); see :class:`TrainerBase` for the
    counters. The config is checked first (:func:`validate_config`) and keys nothing reads are reported.
    """

    def __init__(self, cfg: Any):
        super().__init__()
        validate_config(cfg)  # types and ranges, naming the key (default_config_parser checks at load too)
        self.cfg = cfg
        self.logger = get_logger(log_file=os.path.join(cfg.save_path, "train.log"))
        self.device = default_device()
        self.world_size = get_world_size()
        self.logger.info(f"=> Device {self.device}, world size {self.world_size}, save path {cfg.save_path}")
        if is_main_process():
            warn_unknown_keys(cfg, self.logger)
        self.accumulation_steps = int(cfg.get("gradient_accumulation_steps") or 1)
        self.max_epoch = cfg.eval_epoch
        self.epochs_per_round = passes_per_round(cfg.epoch, cfg.eval_epoch)
        self.best_metric_value: float | None = None
        self.weight_report = None
        self.test_result = None
        self.model = self.build_model()
        self.train_loader = self.build_train_loader()
        self.val_loader = self.build_val_loader()
        batches = len(self.train_loader)
        self.iters_per_epoch = batches // self.accumulation_steps  # optimizer steps per round
        if batches == 0:
            raise ValueError(
                f"the training set has fewer samples ({len(self.train_loader.dataset)}) than one batch per rank "
                f"({self.batch_size_per_rank}); lower batch_size"
            )
        if self.iters_per_epoch == 0:
            raise ValueError(
                f"gradient_accumulation_steps={self.accumulation_steps} exceeds the {batches} batches of a round: "
                "no optimizer step would run; lower gradient_accumulation_steps or batch_size"
            )
        if self.accumulation_steps > 1:
            dropped = batches % self.accumulation_steps
            effective = self.batch_size_per_rank * self.world_size * self.accumulation_steps
            self.logger.info(
                f"Gradient accumulation: {self.accumulation_steps} micro-batches of {self.batch_size_per_rank} "
                f"per rank per optimizer step (effective batch {effective}), {self.iters_per_epoch} steps per "
                f"round" + (f"; the last {dropped} batches of each round are unused" if dropped else "")
            )
        self.optimizer = build_optimizer(cfg.optimizer, self.model, cfg.get("param_dicts"))
        # epoch-valued schedule options count passes over the data, not rounds
        self.scheduler = build_scheduler(cfg.scheduler, self.optimizer, self.max_iter,
                                         self.steps_per_data_epoch)
        self.amp_enabled = bool(cfg.get("enable_amp", False)) and self.device.type == "cuda"
        self.amp_dtype = getattr(torch, cfg.get("amp_dtype", "float16"))
        self.scaler = torch.amp.GradScaler("cuda") if self.amp_enabled and self.amp_dtype == torch.float16 else None
        self.writer = self.build_writer()
        hooks = list(cfg.hooks)
        if cfg.get("enable_wandb") and not any(h.get("type") == "WandbLogger" for h in hooks):
            hooks.append(dict(type="WandbLogger"))  # Pointcept's switch: enable_wandb=True, no hook to add
        self.register_hooks(build_hooks(hooks))

    # ------------------------------------------------------------------------------ construction
    @property
    def batch_size_per_rank(self) -> int:
        return max(self.cfg.batch_size // self.world_size, 1)

    @property
    def eval_model(self) -> nn.Module:
        """The model without its DDP wrapper, for evaluation: DDP's forward broadcasts buffers (BatchNorm
        statistics) from rank 0 on every call, a collective that hangs when ranks run different numbers of
        val batches (fewer val scenes than processes)."""
        return unwrap_model(self.model)

    @property
    def last_checkpoint_path(self) -> str:
        return os.path.join(self.cfg.save_path, "model", "model_last.pth")

    def build_model(self) -> nn.Module:
        model = build_model(self.cfg.model)
        if self.cfg.get("sync_bn", False) and self.world_size > 1:
            model = convert_sync_batchnorm(model, self.device)  # torch's on CUDA, a gloo-capable one on the CPU
        n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
        self.logger.info(f"Num params: {n_params}")
        model = model.to(self.device)
        if self.world_size > 1:
            model = nn.parallel.DistributedDataParallel(
                model,
                device_ids=[self.device.index] if self.device.type == "cuda" else None,
                find_unused_parameters=self.cfg.get("find_unused_parameters", False),
            )
        return model

    def build_train_loader(self) -> DataLoader:
        cfg = self.cfg
        train_cfg = dict(cfg.data.train)
        # Pointcept's convention: eval_epoch rounds, each looping over the data epoch // eval_epoch times
        train_cfg["loop"] = train_cfg.get("loop", 1) * passes_per_round(cfg.epoch, cfg.eval_epoch)
        dataset = build_split_dataset(train_cfg, cfg.data)
        self.sampler = EpochShuffleSampler(len(dataset), self.world_size, get_rank(), seed=cfg.seed)
        workers = max(cfg.get("num_worker", 0) // self.world_size, 0)
        return DataLoader(
            dataset,
            batch_size=self.batch_size_per_rank,
            sampler=self.sampler,
            num_workers=workers,
            collate_fn=partial(point_collate_fn, mix_prob=cfg.get("mix_prob", 0.0)),
            pin_memory=self.device.type == "cuda",
            drop_last=True,
            worker_init_fn=seed_worker,
        )

    def build_val_loader(self) -> DataLoader | None:
        cfg = self.cfg
        if not cfg.get("evaluate", True) or "val" not in cfg.data:
            return None
        dataset = build_split_dataset(cfg.data.val, cfg.data)
        fix_eval_seed(dataset, cfg.get("seed"))
        batch = max((cfg.get("batch_size_val") or self.world_size) // self.world_size, 1)
        return DataLoader(
            dataset,
            batch_size=batch,
            sampler=InferenceSampler(len(dataset), self.world_size, get_rank()),
            num_workers=max(cfg.get("num_worker", 0) // self.world_size, 0),
            collate_fn=point_collate_fn,
            pin_memory=self.device.type == "cuda",
            worker_init_fn=seed_worker,
        )

    def build_writer(self):
        if not is_main_process():
            return None
        from torch.utils.tensorboard import SummaryWriter

        return SummaryWriter(self.cfg.save_path)

    # ------------------------------------------------------------------------------ loop pieces
    def train_loader_for_epoch(self, epoch: int) -> Iterable:
        self.sampler.set_epoch(epoch)
        self.model.train()
        return self.train_loader

    def to_device(self, input_dict: dict) -> dict:
        """``input_dict`` on the training device (see :func:`pointcept.utils.comm.to_device`)."""
        return to_device(input_dict, self.device, non_blocking=True)

    def autocast(self):
        if self.amp_enabled:
            return torch.autocast(device_type="cuda", dtype=self.amp_dtype)
        return contextlib.nullcontext()

    def run_step(self) -> None:
        """One optimizer step over ``comm_info["micro_batches"]`` (one batch without accumulation).

        Each micro-batch's loss is scaled by 1/N so the accumulated gradient is the mean over the N, as one
        N-times larger batch gives; under DDP gradients are all-reduced on the last micro-batch only
        (``no_sync`` on the others); with AMP the scaler scales every backward and unscales/steps once.
        """
        micro_batches = self.comm_info.get("micro_batches") or [self.comm_info["input_dict"]]
        n = len(micro_batches)
        self.optimizer.zero_grad(set_to_none=True)
        scalars: list[dict[str, torch.Tensor]] = []
        output: dict = {}
        for index, batch in enumerate(micro_batches):
            syncing = index == n - 1 or not isinstance(self.model, nn.parallel.DistributedDataParallel)
            with contextlib.nullcontext() if syncing else self.model.no_sync():
                input_dict = self.to_device(batch)
                with self.autocast():
                    output = self.model(input_dict)
                    loss = output["loss"]
                if not torch.isfinite(loss.detach()):
                    where = f" micro-batch {index + 1}/{n}" if n > 1 else ""
                    raise FloatingPointError(
                        f"loss is {loss.item()} at epoch {self.epoch + 1} iteration {self.iter + 1}{where}; "
                        "lower the learning rate or check the inputs"
                    )
                loss = loss / n if n > 1 else loss
                if self.scaler is not None:
                    self.scaler.scale(loss).backward()
                else:
                    loss.backward()
            if n > 1:
                scalars.append({k: v.detach() for k, v in output.items()
                                if isinstance(v, torch.Tensor) and v.numel() == 1})
        clip = self.cfg.get("clip_grad")
        if self.scaler is not None:
            if clip:
                self.scaler.unscale_(self.optimizer)
                nn.utils.clip_grad_norm_(self.model.parameters(), clip)
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            if clip:
                nn.utils.clip_grad_norm_(self.model.parameters(), clip)
            self.optimizer.step()
        self.scheduler.step()
        if n > 1:  # the scalars the hooks log, averaged over the micro-batches (others: the last one's)
            output = dict(output)
            for key in scalars[-1]:
                if all(key in s for s in scalars):
                    output[key] = torch.stack([s[key].reshape(()).float() for s in scalars]).mean()
        self.comm_info["model_output_dict"] = output

    # ------------------------------------------------------------------------------ checkpoints
    def checkpoint_state(self) -> dict:
        """Everything ``resume_from`` restores, as tensors and plain types (read back with weights_only=True)."""
        best = self.best_metric_value
        return {
            "epoch": self.epoch + 1,
            "global_iter": self.global_iter,
            "state_dict": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "best_metric_value": float(best) if best is not None else None,  # not a numpy scalar
            "hooks": {f"{i}:{type(h).__name__}": h.state_dict() for i, h in enumerate(self.hooks)},
        }

    def resume_from(self, path: str) -> None:
        """Restore model, optimizer, schedule, counters, best metric, hook state and RNG from ``path``."""
        checkpoint = safe_torch_load(path, "resume checkpoint")  # weights_only: a crafted file runs no code
        needed = ("state_dict", "optimizer", "scheduler", "epoch", "global_iter")
        absent = [k for k in needed if not isinstance(checkpoint, dict) or k not in checkpoint]
        if absent:
            raise CheckpointLoadError(f"resume checkpoint {path} lacks {absent}: expected a model_last.pth written "
                                      f"by this trainer (entries {list(needed)})")
        state = {k.removeprefix("module."): v for k, v in checkpoint["state_dict"].items()}
        try:
            unwrap_model(self.model).load_state_dict(state, strict=True)
        except RuntimeError as error:  # torch's message lists the keys and shapes but not the file
            raise CheckpointLoadError(f"resume checkpoint {path} does not fit this config's model: "
                                      f"expected one written by a run of the same model config: {error}") from None
        self.optimizer.load_state_dict(checkpoint["optimizer"])
        self.scheduler.load_state_dict(checkpoint["scheduler"])
        if self.scaler is not None and checkpoint.get("scaler") is not None:
            self.scaler.load_state_dict(checkpoint["scaler"])
        self.start_epoch = checkpoint["epoch"]
        self.global_iter = checkpoint["global_iter"]
        self.best_metric_value = checkpoint.get("best_metric_value")
        for i, hook in enumerate(self.hooks):
            hook_state = checkpoint.get("hooks", {}).get(f"{i}:{type(hook).__name__}")
            if hook_state:
                hook.load_state_dict(hook_state)
        rng = checkpoint.get("rng")
        if rng:
            set_rng_state(rng[get_rank()] if isinstance(rng, list) and len(rng) == self.world_size else rng[0] if isinstance(rng, list) else rng)
        self.logger.info(
            f"Resumed from {path}: epoch {self.start_epoch}, step {self.global_iter}, "
            f"lr {self.optimizer.param_groups[0]['lr']:.6f}, best {self.best_metric_value}"
        )


def build_trainer(cfg: Any) -> TrainerBase:
    return TRAINERS.build(cfg.get("train", {"type": "DefaultTrainer"}), cfg=cfg)
