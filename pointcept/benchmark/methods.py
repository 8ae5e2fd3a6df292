"""The method table: which pretraining config each method uses per profile, and where its backbone lives.

A profile is a data set scale (the demo rooms, the small real ScanNet sample on a CPU, full ScanNet); it
fixes the pretraining config of every method and the downstream config of every task. A method is
``none`` (train from scratch), a built-in name, a name added with :func:`register_method`, or the path
of any pretraining config file (its name is the file's stem).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from pointcept.models.weights import PREFIX_PREFERENCE, detect_backbone_prefix  # noqa: F401 (re-exported)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROFILES = ("demo", "scannet-real-cpu", "scannet")
TASKS = ("semseg", "insseg", "detection")

#: downstream config of each task per profile (relative to the repository root)
DOWNSTREAM: dict[str, dict[str, str]] = {
    "demo": {
        "semseg": "configs/demo/semseg-spunet-v1m1-0-base.py",
        "insseg": "configs/demo/insseg-pointgroup-spunet-v1m1-0-base.py",
        "detection": "configs/demo/detection-votenet-spunet-v1m1-0-base.py",
    },
    "scannet-real-cpu": {
        "semseg": "configs/scannet/semseg-spunet-v1m1-2-real-cpu.py",
        "insseg": "configs/scannet/insseg-pointgroup-spunet-v1m1-2-real-cpu.py",
        "detection": "configs/scannet/detection-votenet-spunet-v1m1-2-real-cpu.py",
    },
    "scannet": {
        "semseg": "configs/scannet/semseg-spunet-v1m1-0-base.py",
        "insseg": "configs/scannet/insseg-pointgroup-v1m1-0-spunet-base.py",
        "detection": "configs/scannet/detection-votenet-spunet-v1m1-0-base.py",
    },
}

#: the main metric (first) and the other reported metrics of each task's test result
TASK_METRICS: dict[str, tuple[str, ...]] = {
    "semseg": ("mIoU", "mAcc", "allAcc"),
    "insseg": ("ap50", "ap", "ap25"),
    "detection": ("mAP@0.25", "mAP@0.5"),
}
#: tensorboard tag of each task's per-round validation metric (written by its evaluator hook)
TASK_VAL_TAG = {"semseg": "val/mIoU", "insseg": "val/AP50", "detection": "val/mAP@0.25"}

#: PREFIX_PREFERENCE (tie-break order when a method's backbone prefix is not fixed) and
#: detect_backbone_prefix live with weight loading (pointcept.models.weights), which fine-tuning uses too


@dataclass(frozen=True)
class MethodSpec:
    """One pretraining method.

    ``configs`` maps a profile to its pretraining config (``None`` for ``none``: no pretraining);
    ``backbone_prefix`` is where the checkpoint keeps the backbone (``None``: detected from the keys);
    ``finetune_options`` maps a profile to ``key=value`` overrides of that method's fine-tuning only.
    """

    name: str
    label: str
    configs: Mapping[str, str | None] = field(default_factory=dict)
    backbone_prefix: str | None = None
    finetune_options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def finetune_options_for(self, profile: str) -> list[str]:
        return list(self.finetune_options.get(profile, self.finetune_options.get("*", ())))

    @property
    def pretrains(self) -> bool:
        return any(v is not None for v in self.configs.values())

    def config_for(self, profile: str) -> str | None:
        """Absolute pretraining config path for ``profile`` (``None`` for no pretraining)."""
        if not self.configs:
            return None
        if profile not in self.configs and "*" not in self.configs:
            raise KeyError(f"method {self.name!r} has no pretraining config for profile {profile!r} "
                           f"(it has: {', '.join(sorted(self.configs))})")
        path = self.configs.get(profile, self.configs.get("*"))
        return None if path is None else (path if os.path.isabs(path) else os.path.join(ROOT, path))


def _per_profile(demo: str, real: str, full: str) -> dict[str, str]:
    return {"demo": f"configs/demo/{demo}.py", "scannet-real-cpu": f"configs/scannet/{real}.py",
            "scannet": f"configs/scannet/{full}.py"}


METHODS: dict[str, MethodSpec] = {}


def register_method(spec: MethodSpec, overwrite: bool = False) -> MethodSpec:
    """Add a method to the table (e.g. a new pretraining approach, or a test double)."""
    if spec.name in METHODS and not overwrite:
        raise KeyError(f"method {spec.name!r} is already registered")
    METHODS[spec.name] = spec
    return spec


#: Pointcept's PointContrast / CSC pretrain on colour only (3 input channels); the full-ScanNet fine-tuning
#: config takes colour + normal (6), so their stem convolution cannot load and is trained from scratch,
#: said here instead of skipped silently (the CPU and demo profiles pretrain them on 6 channels).
_COLOUR_ONLY_STEM = {"scannet": ('weight_allow_partial=["backbone.conv_input."]',)}

for _spec in (
    MethodSpec("none", "from scratch", {}, None),
    MethodSpec("pc", "PointContrast", _per_profile("pretrain-msc-v1m1-1-spunet-pointcontrast",
                                                   "pretrain-msc-v1m1-4-real-cpu-pointcontrast",
                                                   "pretrain-msc-v1m1-1-spunet-pointcontrast"),
               finetune_options=_COLOUR_ONLY_STEM),
    MethodSpec("csc", "CSC", _per_profile("pretrain-msc-v1m2-0-spunet-csc", "pretrain-msc-v1m2-3-real-cpu-csc",
                                          "pretrain-msc-v1m2-0-spunet-csc"), finetune_options=_COLOUR_ONLY_STEM),
    MethodSpec("msc", "Masked Scene Contrast", _per_profile("pretrain-msc-v1m1-0-spunet-base",
                                                            "pretrain-msc-v1m1-3-real-cpu",
                                                            "pretrain-msc-v1m1-0-spunet-base")),
    MethodSpec("gc", "GroupContrast", _per_profile("pretrain-groupcontrast-v1m1-0-spunet-base",
                                                   "pretrain-groupcontrast-v1m1-3-real-cpu",
                                                   "pretrain-groupcontrast-v1m1-0-spunet-base"),
               backbone_prefix="student.backbone."),
):
    register_method(_spec)

DEFAULT_METHODS = ("none", "pc", "csc", "msc", "gc")


def looks_like_path(name: str) -> bool:
    return name.endswith(".py") or os.sep in name or "/" in name


def resolve_method(name: str) -> MethodSpec:
    """A registered method by name, or a method made from a pretraining config path (name = stem)."""
    if name in METHODS:
        return METHODS[name]
    if looks_like_path(name):
        path = os.path.abspath(name)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"--methods {name!r}: pretraining config file not found ({path})")
        stem = os.path.splitext(os.path.basename(path))[0]
        return MethodSpec(stem, stem, {"*": path}, None)
    raise KeyError(f"unknown method {name!r}; known methods: {', '.join(METHODS)} "
                   "(or give the path of a pretraining config file)")


def resolve_methods(names: Iterable[str]) -> list[MethodSpec]:
    specs = [resolve_method(n) for n in names]
    seen = Counter(s.name for s in specs)
    twice = [n for n, c in seen.items() if c > 1]
    if twice:
        raise ValueError(f"--methods names {twice} more than once (a config path's method name is its file stem)")
    return specs


def downstream_config(profile: str, task: str) -> str:
    """Absolute path of the downstream config of ``task`` in ``profile``, checked to exist."""
    if profile not in DOWNSTREAM:
        raise KeyError(f"unknown profile {profile!r}; known profiles: {', '.join(PROFILES)}")
    if task not in DOWNSTREAM[profile]:
        raise KeyError(f"unknown task {task!r}; known tasks: {', '.join(TASKS)}")
    path = os.path.join(ROOT, DOWNSTREAM[profile][task])
    if not os.path.isfile(path):
        present = [t for t, p in DOWNSTREAM[profile].items() if os.path.isfile(os.path.join(ROOT, p))]
        raise FileNotFoundError(f"task {task!r} has no downstream config for profile {profile!r}: {path} is missing "
                                f"(tasks with a config in this profile: {', '.join(present) or 'none'})")
    return path
