"""Planning a benchmark: the settings, one run per method x seed, and each stage's resolved config.

Equal budgets are applied here, to every method alike: ``budget_epochs`` replaces ``epoch`` of both the
pretraining and the fine-tuning config (``eval_epoch`` becomes the largest divisor of it not above the
configured one, so validation stays about as frequent); ``budget_minutes`` adds the ``TimeBudget`` hook,
which stops training after that many minutes and lets evaluation run, with the schedule still defined
over the configured (or budgeted) epochs. A ``TimeBudget`` hook without minutes is always added, so the
time and steps each stage used are recorded either way.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from pointcept.engines.defaults import default_config_parser
from pointcept.utils.config import Config

from .methods import MethodSpec, downstream_config

#: keys that differ between runs of one method (paths, seed) and are left out of the config hash
RUN_SPECIFIC_KEYS = ("save_path", "seed", "weight", "weight_mapping", "weight_keep_unmapped", "resume")
DATA_EFFICIENT = re.compile(r"^(lr|la)(\d+(?:\.\d+)?)$")
STAGES = ("pretrain", "finetune")
STAGE_OPTION = re.compile(r"^(pretrain|finetune):(.+=.*)$")


@dataclass
class Settings:
    """Everything that defines a benchmark; ``fingerprint`` is what finished runs must agree with."""

    data_root: str
    profile: str
    task: str
    methods: list[MethodSpec]
    seeds: list[int]
    exp_root: str
    budget_epochs: int | None = None
    budget_minutes: float | None = None
    num_gpus: int = 1
    data_efficient: str | None = None
    options: list[str] = field(default_factory=list)
    command: str = ""

    def fingerprint(self) -> dict[str, Any]:
        return {"data_root": os.path.abspath(self.data_root), "profile": self.profile, "task": self.task,
                "budget_epochs": self.budget_epochs, "budget_minutes": self.budget_minutes,
                "data_efficient": self.data_efficient, "options": list(self.options)}

    def budget_text(self) -> str:
        parts = []
        if self.budget_epochs:
            parts.append(f"{self.budget_epochs} epoch{'s' if self.budget_epochs != 1 else ''}")
        if self.budget_minutes:
            parts.append(f"{self.budget_minutes:g} minutes wall-clock")
        text = " and at most ".join(parts) if parts else "the configs' own epochs"
        return f"{text} per stage (pretraining and fine-tuning alike), for every method"


@dataclass(frozen=True)
class RunSpec:
    """One method x seed: where it lives and which configs it uses."""

    method: MethodSpec
    seed: int
    run_dir: str
    pretrain_config: str | None
    finetune_config: str

    @property
    def pretrain_dir(self) -> str:
        return os.path.join(self.run_dir, "pretrain")

    @property
    def finetune_dir(self) -> str:
        return os.path.join(self.run_dir, "finetune")

    @property
    def marker(self) -> str:
        return os.path.join(self.run_dir, "run.json")

    @property
    def key(self) -> str:
        return f"{self.method.name} seed {self.seed}"


def run_folder(exp_root: str, method: str, seed: int) -> str:
    """``<exp_root>/<method>/seed<k>``: where one method x seed of a benchmark lives."""
    return os.path.join(exp_root, method, f"seed{seed}")


def plan_runs(settings: Settings) -> list[RunSpec]:
    """Seed-major order, so an interrupted benchmark already has every method for the first seeds."""
    finetune = downstream_config(settings.profile, settings.task)
    runs = []
    for seed in settings.seeds:
        for method in settings.methods:
            pretrain = method.config_for(settings.profile)
            if pretrain is not None and not os.path.isfile(pretrain):
                raise FileNotFoundError(
                    f"method {method.name!r}: pretraining config for profile {settings.profile!r} not found: {pretrain}")
            runs.append(RunSpec(method, seed, run_folder(settings.exp_root, method.name, seed), pretrain, finetune))
    return runs


# ---------------------------------------------------------------------------------------------- checks
def check_data_root(data_root: str, task_splits: Sequence[str] = ("train", "val")) -> None:
    if not os.path.isdir(data_root):
        raise FileNotFoundError(f"--data-root {data_root!r} does not exist (for the demo data: "
                                f"python tools/make_demo_data.py --root {data_root})")
    missing = [s for s in task_splits if not os.path.isdir(os.path.join(data_root, s))]
    if missing:
        raise FileNotFoundError(f"--data-root {data_root!r} has no {', '.join(missing)} split folder(s) "
                                "(expected <data_root>/<split>/<scene>/coord.npy ...)")


def data_efficient_file(data_root: str, setting: str) -> tuple[str, str]:
    """``("lr_file" | "la_file", path)`` of a data-efficient setting such as ``lr5`` or ``la20``."""
    match = DATA_EFFICIENT.match(setting)
    if not match:
        raise ValueError(f"--data-efficient {setting!r}: expected lr<percent> (e.g. lr1, lr5, lr10, lr20) "
                         "or la<points> (e.g. la20, la50, la100, la200)")
    kind = match.group(1)
    path = os.path.join(os.path.abspath(data_root), "tasks", f"{setting}.{'txt' if kind == 'lr' else 'npz'}")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--data-efficient {setting}: split file {path} not found; make it with "
                                f"python tools/make_data_efficient_splits.py {data_root}")
    return f"{kind}_file", path


# ---------------------------------------------------------------------------------------------- configs
def fit_eval_epoch(epoch: int, eval_epoch: int) -> int:
    """Largest divisor of ``epoch`` not above ``eval_epoch`` (the trainer needs epoch % eval_epoch == 0)."""
    for candidate in range(max(min(eval_epoch, epoch), 1), 0, -1):
        if epoch % candidate == 0:
            return candidate
    return 1


def split_options(options: Sequence[str], stage: str) -> list[str]:
    """User overrides for ``stage``: plain ``key=value`` apply to both stages, ``pretrain:``/``finetune:``
    prefixed ones to that stage only."""
    out = []
    for option in options:
        match = STAGE_OPTION.match(option)
        if match is None:
            out.append(option)
        elif match.group(1) == stage:
            out.append(match.group(2))
    return out


def build_stage_config(config_file: str, stage: str, settings: Settings, save_path: str, seed: int) -> Config:
    """The resolved config of one stage with data root, seed, budget and overrides applied."""
    cfg = default_config_parser(config_file, [f"save_path={save_path}", f"seed={seed}"])
    root = os.path.abspath(settings.data_root)
    for value in cfg.get("data", {}).values():
        if isinstance(value, dict) and "data_root" in value:
            value["data_root"] = root
    budget: dict[str, Any] = {}
    if settings.budget_epochs:
        budget["epoch"] = int(settings.budget_epochs)
        budget["eval_epoch"] = fit_eval_epoch(int(settings.budget_epochs), int(cfg.eval_epoch))
    cfg.merge_from_options(budget)
    if stage == "finetune" and settings.data_efficient:
        key, path = data_efficient_file(settings.data_root, settings.data_efficient)
        if "train" not in cfg.data:
            raise KeyError(f"{config_file}: no data.train to apply --data-efficient {settings.data_efficient} to")
        cfg.data.train[key] = path
    cfg.hooks = [h for h in cfg.hooks if h.get("type") != "TimeBudget"] + [
        dict(type="TimeBudget", minutes=settings.budget_minutes)]
    try:
        cfg.merge_from_options(split_options(settings.options, stage))
    except KeyError as error:
        raise KeyError(f"--options for the {stage} stage ({config_file}): {error.args[0]}") from None
    if cfg.epoch % cfg.eval_epoch:
        raise ValueError(f"{config_file}: epoch={cfg.epoch} must be a multiple of eval_epoch={cfg.eval_epoch}")
    return cfg


def config_hash(cfg: Config) -> str:
    """Short sha256 of the resolved config without the run-specific keys (equal across seeds).

    Keys are sorted first, so the hash depends on the values only, not on the order in which the config's
    ``_base_`` files happened to define them (a refactor of the bases must not invalidate finished runs).
    """
    content = {k: v for k, v in cfg.to_dict().items() if k not in RUN_SPECIFIC_KEYS}
    text = json.dumps(content, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def settings_record(settings: Settings) -> dict[str, Any]:
    record = {k: v for k, v in asdict(settings).items() if k != "methods"}
    record["methods"] = [m.name for m in settings.methods]
    return record
