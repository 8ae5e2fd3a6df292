"""Running one benchmark run (pretraining -> fine-tuning -> whole-scene test), resumably.

Completion is marked by files written atomically at the end of a piece of work, never by folders:
``<run>/pretrain/stage.json`` after pretraining and ``<run>/run.json`` (with the test metrics) after
fine-tuning and testing. A run with ``run.json`` is skipped. Otherwise each unfinished stage continues
from its own ``model/model_last.pth`` with the trainer's ``resume=True`` (model, optimizer, schedule,
RNG, best metric and the time budget already used), or starts afresh when there is no checkpoint yet.
Stages go through the framework's ``launch``, so ``num_gpus > 1`` trains with DDP as ``tools/train.py``.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from typing import Any

import numpy as np
import torch

from pointcept.engines.launch import launch
from pointcept.models.weights import detect_backbone_prefix, read_state_dict
from pointcept.utils.comm import is_main_process
from pointcept.utils.config import Config
from pointcept.utils.io import atomic_write_text
from pointcept.utils.logger import get_logger, remove_file_handlers

from .plan import RunSpec, Settings, build_stage_config, config_hash


class SettingsMismatch(RuntimeError):
    """A finished run in the experiment folder was made with other settings than the current command."""


def read_json(path: str) -> dict:
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        raise RuntimeError(f"cannot read {path}: {error}; delete it to redo that piece of work") from None


def write_json(path: str, content: dict) -> None:
    atomic_write_text(path, json.dumps(content, indent=2, sort_keys=True, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def scalar_metrics(result: dict | None) -> dict[str, float]:
    """The scalar entries of a tester's result (per-class lists and tables are left out)."""
    out = {}
    for key, value in (result or {}).items():
        if isinstance(value, (bool, np.bool_)):
            continue
        if isinstance(value, (int, float, np.integer, np.floating)):
            out[str(key)] = float(value)
        elif isinstance(value, torch.Tensor) and value.numel() == 1:
            out[str(key)] = float(value.item())
    return out


def stage_worker(cfg: Any, result_file: str) -> None:
    """Train one stage in this process (one rank) and, on rank 0, record its outcome in ``result_file``."""
    from pointcept.engines.cli import train_worker

    start = time.time()
    trainer = train_worker(cfg)
    if is_main_process():
        budget = dict(trainer.comm_info.get("time_budget") or {})
        write_json(result_file, {
            "test": scalar_metrics(trainer.test_result),
            "time_budget": budget,
            "epochs_configured": int(cfg.epoch),
            "eval_epoch": int(cfg.eval_epoch),
            "steps_per_round": int(trainer.iters_per_epoch),
            "best_val": trainer.best_metric_value,
            "process_seconds": round(time.time() - start, 3),
            "weight_report": trainer.weight_report.summary() if trainer.weight_report is not None else None,
        })


def note(settings: Settings, message: str, warning: bool = False) -> None:
    """Log a benchmark-level line and append it to ``<exp-root>/benchmark.log`` (the stage logs come and go)."""
    logger = get_logger()
    (logger.warning if warning else logger.info)(f"[benchmark] {message}")
    os.makedirs(settings.exp_root, exist_ok=True)
    with open(os.path.join(settings.exp_root, "benchmark.log"), "a") as handle:
        handle.write(f"{_now()} {'WARNING ' if warning else ''}{message}\n")


def device_text(num_gpus: int) -> str:
    if torch.cuda.is_available():
        return f"{num_gpus} x {torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
    procs = f"{num_gpus} CPU processes (gloo), " if num_gpus > 1 else ""
    return f"CPU: {procs}{os.cpu_count()} cores, torch threads {torch.get_num_threads()}"


def run_stage(cfg: Any, save_path: str, settings: Settings, label: str) -> dict:
    """Train one stage, resuming from its last checkpoint when there is one; returns its outcome record."""
    last = os.path.join(save_path, "model", "model_last.pth")
    if os.path.isfile(last):
        cfg.resume = True
        note(settings, f"resume {label} from {last}")
    else:
        note(settings, f"start {label} in {save_path}")
    result_file = os.path.join(save_path, "stage_result.json")
    if os.path.exists(result_file):
        os.remove(result_file)
    try:
        launch(stage_worker, settings.num_gpus, 1, 0, "auto", args=(cfg, result_file))
    finally:
        remove_file_handlers()
    if not os.path.isfile(result_file):
        raise RuntimeError(f"{label}: training ended without writing {result_file}; see {save_path}/train.log")
    return read_json(result_file)


#: what to do about a finished run folder made with other settings
REDO_ADVICE = "Use another --exp-root, or delete that run folder to redo it with these settings."


def check_marker(marker: dict, path: str, expected: dict, saved_configs: dict[str, str] | None = None,
                 advice: str = REDO_ADVICE) -> None:
    """Raise ``SettingsMismatch`` unless the finished ``marker`` was made with the ``expected`` settings.

    ``saved_configs`` maps a config-hash key to the ``config.py`` the finished stage saved. A recorded hash
    that differs is re-computed from that file: runs recorded before the hash sorted its keys (fa684b7)
    carry another form of the same settings, and are recognised by their own resolved config.
    """
    recorded = marker.get("fingerprint", {})
    differ = {k: (recorded.get(k), v) for k, v in expected.items() if recorded.get(k) != v}
    for key, config_file in (saved_configs or {}).items():
        if key in differ and os.path.isfile(config_file):
            if config_hash(Config.fromfile(config_file)) == expected[key]:
                del differ[key]
    if differ:
        lines = "; ".join(f"{k}: finished run has {a!r}, this command {b!r}" for k, (a, b) in differ.items())
        raise SettingsMismatch(f"{path} was made with other settings ({lines}). {advice}")


def pretrained_weight(run: RunSpec, settings: Settings, fingerprint: dict, cfg: Any) -> tuple[str, dict]:
    """Pretrain (or reuse the finished pretraining of) ``run``; returns the checkpoint and its record."""
    marker = os.path.join(run.pretrain_dir, "stage.json")
    weight = os.path.join(run.pretrain_dir, "model", "model_last.pth")
    if os.path.isfile(marker):
        record = read_json(marker)
        check_marker(record, marker, fingerprint, saved_configs(run))
        if not os.path.isfile(weight):
            raise FileNotFoundError(f"{marker} says pretraining finished but {weight} is missing; delete "
                                    f"{run.pretrain_dir} to pretrain again")
        note(settings, f"skip pretraining of {run.key}: finished ({marker})")
        return weight, record
    outcome = run_stage(cfg, run.pretrain_dir, settings, f"pretraining of {run.key}")
    if not os.path.isfile(weight):
        raise FileNotFoundError(f"pretraining of {run.key} finished without {weight}")
    record = {"fingerprint": fingerprint, "config": run.pretrain_config, "config_hash": fingerprint["pretrain_hash"],
              "outcome": outcome, "finished": _now()}
    write_json(marker, record)
    return weight, record


def backbone_mapping(weight: str, preferred: str | None, settings: Settings) -> tuple[list[tuple[str, str]], dict]:
    """The ``weight_mapping`` that moves the checkpoint's backbone to ``backbone.``, chosen from its keys."""
    state = read_state_dict(weight)  # weights_only: a checkpoint can never run code here
    prefix, hits, counts = detect_backbone_prefix(state.keys(), preferred)
    if preferred and prefix != preferred:
        note(settings, f"{weight}: the method table's prefix {preferred!r} matches no key; using {prefix!r}",
             warning=True)
    note(settings, f"{weight}: backbone under {prefix!r} ({hits} tensors; candidates {counts}) -> 'backbone.'")
    return [(prefix, "backbone.")], {"prefix": prefix, "tensors": hits, "candidates": counts}


def _stage_configs(run: RunSpec, settings: Settings) -> tuple[Any, Any, dict]:
    """Both stages' resolved configs (``None`` for no pretraining) and the fingerprint a finished run must match."""
    ft_cfg = build_stage_config(run.finetune_config, "finetune", settings, run.finetune_dir, run.seed)
    ft_cfg.merge_from_options(run.method.finetune_options_for(settings.profile))
    fingerprint = dict(settings.fingerprint(), method=run.method.name, finetune_hash=config_hash(ft_cfg))
    pre_cfg = None
    if run.pretrain_config is not None:
        pre_cfg = build_stage_config(run.pretrain_config, "pretrain", settings, run.pretrain_dir, run.seed)
    fingerprint["pretrain_hash"] = config_hash(pre_cfg) if pre_cfg is not None else None
    return ft_cfg, pre_cfg, fingerprint


def expected_fingerprint(run: RunSpec, settings: Settings) -> dict:
    """The fingerprint a finished ``run`` of this command must carry (both stages' config hashes included)."""
    return _stage_configs(run, settings)[2]


def saved_configs(run: RunSpec) -> dict[str, str]:
    """Where each stage of ``run`` saved the config it ran with, by fingerprint key."""
    return {"finetune_hash": os.path.join(run.finetune_dir, "config.py"),
            "pretrain_hash": os.path.join(run.pretrain_dir, "config.py")}


def finished_record(run: RunSpec, settings: Settings) -> dict | None:
    """The completion record of ``run`` if it finished with these settings, else ``None``.

    A finished run made with other settings raises ``SettingsMismatch`` instead of being mixed in.
    """
    if not os.path.isfile(run.marker):
        return None
    record = read_json(run.marker)
    expected = expected_fingerprint(run, settings)
    check_marker(record, run.marker, expected, saved_configs(run))
    # the checked fingerprint in its current form (a run recorded before fa684b7 carries old-form hashes),
    # so that the runs.json of a report merges anywhere this command's settings are checked
    return dict(record, fingerprint=expected)


def run_one(run: RunSpec, settings: Settings) -> dict:
    """Do (or resume) the unfinished ``run``; returns its completion record (also written to ``run.json``).

    Finished and merged runs never get here: ``cli.finished_or_merged`` checks and skips them first.
    """
    ft_cfg, pre_cfg, fingerprint = _stage_configs(run, settings)
    started = _now()
    pretrain_record, mapping_info = None, None
    if run.pretrain_config is not None:
        weight, pretrain_record = pretrained_weight(run, settings, fingerprint, pre_cfg)
        mapping, mapping_info = backbone_mapping(weight, run.method.backbone_prefix, settings)
        ft_cfg.weight = weight
        ft_cfg.weight_mapping = [list(m) for m in mapping]
        ft_cfg.weight_keep_unmapped = False
    outcome = run_stage(ft_cfg, run.finetune_dir, settings, f"fine-tuning of {run.key}")
    if not outcome.get("test"):
        raise RuntimeError(f"fine-tuning of {run.key} produced no test metrics (does {run.finetune_config} run "
                           f"PreciseEvaluator?); see {run.finetune_dir}/train.log")
    record = {
        "method": run.method.name, "label": run.method.label, "seed": run.seed, "metrics": outcome["test"],
        "fingerprint": fingerprint, "finetune": outcome, "finetune_config": run.finetune_config,
        "pretrain": pretrain_record["outcome"] if pretrain_record else None, "pretrain_config": run.pretrain_config,
        "backbone_mapping": mapping_info, "device": device_text(settings.num_gpus), "started": started,
        "finished": _now(),
    }
    write_json(run.marker, record)
    note(settings, f"finished {run.key}: " + ", ".join(f"{k} {v:.4f}" for k, v in outcome["test"].items()))
    return dict(record, skipped=False)


def _now() -> str:
    return datetime.datetime.now().isoformat(timespec="seconds")
