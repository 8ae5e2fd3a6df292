"""Loading weights into a (possibly differently wrapped) model, reporting every mismatch.

Checkpoints come from Pointcept, from our trainer (``module.`` under DDP) or from pretraining (weights
under ``student.backbone.``, ``backbone.`` ...). :func:`remap_state_dict` renames keys by prefix rules,
and when the checkpoint and the model disagree only by a leading prefix it aligns them automatically.
:func:`load_weights` then reports missing, unexpected and wrong-shape keys separately, and never loads a
wrong-shape tensor (a 20-class head into a 13-class model is skipped and reported).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from pointcept.utils.io import atomic_torch_save


@dataclass
class LoadReport:
    loaded: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    shape_mismatch: list[tuple[str, tuple, tuple]] = field(default_factory=list)

    def summary(self, limit: int = 20) -> str:
        def show(keys: Sequence) -> str:
            keys = list(keys)
            text = ", ".join(str(k) for k in keys[:limit])
            return text + (f", ... ({len(keys) - limit} more)" if len(keys) > limit else "")

        lines = [f"loaded {len(self.loaded)} tensors"]
        if self.missing:
            lines.append(f"missing in checkpoint ({len(self.missing)}): {show(self.missing)}")
        if self.unexpected:
            lines.append(f"unexpected in checkpoint ({len(self.unexpected)}): {show(self.unexpected)}")
        if self.shape_mismatch:
            lines.append(
                f"shape mismatch, skipped ({len(self.shape_mismatch)}): "
                + show(f"{k} checkpoint {tuple(a)} vs model {tuple(b)}" for k, a, b in self.shape_mismatch)
            )
        return "\n".join(lines)


def unwrap_model(model: nn.Module) -> nn.Module:
    return model.module if hasattr(model, "module") and isinstance(model.module, nn.Module) else model


def extract_state_dict(checkpoint: Any, path: str = "<checkpoint>") -> dict[str, torch.Tensor]:
    """The weights inside a checkpoint file's object (Pointcept and ours: ``state_dict``; others: ``model``)."""
    if isinstance(checkpoint, Mapping):
        for key in ("state_dict", "model", "model_state_dict"):
            if key in checkpoint and isinstance(checkpoint[key], Mapping):
                return dict(checkpoint[key])
        if all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
            return dict(checkpoint)
    raise ValueError(f"{path}: no state dict found (expected a 'state_dict' or 'model' entry of tensors)")


def remap_state_dict(
    state: Mapping[str, torch.Tensor],
    model_keys: Iterable[str],
    mapping: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
    keep_unmapped: bool = True,
) -> dict[str, torch.Tensor]:
    """Rename checkpoint keys to the model's naming.

    1. ``module.`` (DDP) is always stripped; 2. ``mapping`` rules ``old_prefix -> new_prefix`` are applied
    in order (a key matching a rule's prefix is renamed, keys matching no rule are kept; an empty old
    prefix adds a prefix to all keys); 3. if still no key matches the model, the longest common
    prefix difference is tried automatically (``backbone.x`` <-> ``x``). ``keep_unmapped=False`` drops the
    keys no rule matched (e.g. a pretraining teacher and heads when only the student backbone is wanted).
    """
    model_keys = set(model_keys)
    out = {(k[len("module.") :] if k.startswith("module.") else k): v for k, v in state.items()}
    rules = list(mapping.items()) if isinstance(mapping, Mapping) else list(mapping or [])
    strip = [(o.removeprefix("module."), n.removeprefix("module.")) for o, n in rules]
    renamed: dict[str, torch.Tensor] = {}
    for key, value in out.items():
        for old, new in strip:
            if key.startswith(old):
                renamed[new + key[len(old) :]] = value
                break
        else:
            if keep_unmapped or not strip:
                renamed[key] = value
    out = renamed
    if model_keys and not model_keys & set(out):
        out = _auto_align(out, model_keys)
    return out


def _auto_align(state: dict[str, torch.Tensor], model_keys: set[str]) -> dict[str, torch.Tensor]:
    """Find a prefix swap (drop or add one leading path) that makes most keys match."""
    candidates: list[tuple[str, str]] = []
    ckpt_prefixes = {k.split(".")[0] + "." for k in state if "." in k}
    model_prefixes = {k.split(".")[0] + "." for k in model_keys if "." in k}
    candidates += [(p, "") for p in ckpt_prefixes] + [("", p) for p in model_prefixes]
    candidates += [(a, b) for a in ckpt_prefixes for b in model_prefixes]
    best, best_hits = state, 0
    for old, new in candidates:
        renamed = {(new + k[len(old) :]): v for k, v in state.items() if k.startswith(old)}
        hits = len(model_keys & set(renamed))
        if hits > best_hits:
            best, best_hits = renamed, hits
    return best


def load_weights(
    model: nn.Module,
    path: str,
    mapping: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
    strict: bool = False,
    keep_unmapped: bool = True,
) -> LoadReport:
    """Load ``path`` into ``model`` (DDP-wrapped or not) on the CPU first; report every mismatch."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"weight file not found: {path}")
    checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    target = unwrap_model(model)
    own = target.state_dict()
    state = remap_state_dict(extract_state_dict(checkpoint, path), own.keys(), mapping, keep_unmapped)
    report = LoadReport()
    compatible = {}
    for key, value in state.items():
        if key not in own:
            report.unexpected.append(key)
        elif tuple(own[key].shape) != tuple(value.shape):
            report.shape_mismatch.append((key, tuple(value.shape), tuple(own[key].shape)))
        else:
            compatible[key] = value
    report.missing = [k for k in own if k not in compatible and k not in {m[0] for m in report.shape_mismatch}]
    report.loaded = sorted(compatible)
    if strict and (report.missing or report.unexpected or report.shape_mismatch):
        raise KeyError(f"strict weight loading of {path} failed:\n{report.summary()}")
    target.load_state_dict(compatible, strict=False)
    return report


def rng_state() -> dict:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: str, **content: Any) -> None:
    """Write atomically: a kill mid-write leaves the previous checkpoint intact."""
    atomic_torch_save(content, path)
