"""Loading weights into a (possibly differently wrapped) model, reporting every mismatch.

Checkpoints come from Pointcept, from our trainer (``module.`` under DDP) or from pretraining (weights
under ``student.backbone.``, ``backbone.`` ...). :func:`remap_state_dict` renames keys by prefix rules,
and when the checkpoint and the model disagree only by a leading prefix it aligns them automatically.
:func:`load_weights` then reports missing, unexpected and wrong-shape keys separately, and never loads a
wrong-shape tensor (a 20-class head into a 13-class model is skipped and reported).

Fine-tuning (``weight=``, :func:`load_backbone_weights`) finds where the checkpoint keeps the backbone
(:func:`detect_backbone_prefix`: ``student.backbone.``, ``backbone.``, a bare backbone ...) and fails unless
the model's backbone loads completely, so a run never trains from scratch while reported as pretrained.

Why in ``models`` (not ``engines``): it acts on models only, and the tester, the trainer's hooks, the
benchmark and the pictures (``pointcept.visualization``, below engines) all load weights. Every file is
read with :func:`pointcept.utils.checkpoint_io.safe_torch_load` (``weights_only=True``).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import torch
from torch import nn

from pointcept.utils.checkpoint_io import safe_torch_load

__all__ = [
    "LoadReport", "BackboneLoadError", "TASK_HEAD_PREFIXES", "PREFIX_PREFERENCE", "unwrap_model",
    "extract_state_dict", "read_state_dict", "detect_backbone_prefix", "remap_state_dict", "load_weights",
    "load_backbone_weights",
]


@dataclass
class LoadReport:
    """What a weight load did, key by key; :meth:`summary` is the log text (nothing is dropped silently)."""

    loaded: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    shape_mismatch: list[tuple[str, tuple, tuple]] = field(default_factory=list)
    source_prefix: str | None = None  # where the checkpoint kept the backbone (load_backbone_weights)
    excused: list[str] = field(default_factory=list)  # backbone keys not loaded but allowed (task head, partial)
    notes: list[str] = field(default_factory=list)  # decisions worth a log line (mapping fallback ...)

    def summary(self, limit: int = 20) -> str:
        def show(keys: Sequence) -> str:
            keys = list(keys)
            text = ", ".join(str(k) for k in keys[:limit])
            return text + (f", ... ({len(keys) - limit} more)" if len(keys) > limit else "")

        origin = f" (backbone from checkpoint prefix {self.source_prefix!r})" if self.source_prefix is not None else ""
        lines = [f"loaded {len(self.loaded)} tensors{origin}"]
        lines += self.notes
        if self.missing:
            lines.append(f"missing in checkpoint ({len(self.missing)}): {show(self.missing)}")
        if self.unexpected:
            lines.append(f"unexpected in checkpoint ({len(self.unexpected)}): {show(self.unexpected)}")
        if self.shape_mismatch:
            lines.append(
                f"shape mismatch, skipped ({len(self.shape_mismatch)}): "
                + show(f"{k} checkpoint {tuple(a)} vs model {tuple(b)}" for k, a, b in self.shape_mismatch)
            )
        if self.excused:
            lines.append(f"not loaded but allowed (task head / weight_allow_partial) ({len(self.excused)}): "
                         f"{show(self.excused)}")
        return "\n".join(lines)


def unwrap_model(model: nn.Module) -> nn.Module:
    """The model inside a DDP/DataParallel wrapper (``.module``), or ``model`` itself.

    Why: weights, hooks and pictures address the bare model's keys and attributes, whichever way it runs.
    """
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


def read_state_dict(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The weights of checkpoint ``path``, read safely (:func:`safe_torch_load`)."""
    return extract_state_dict(safe_torch_load(path, "weight file"), os.fspath(path))


# Tie-break order of backbone prefixes with equally many keys (after "a teacher copy never wins").
PREFIX_PREFERENCE = ("student.backbone.", "backbone.", "online.backbone.", "encoder.backbone.", "module.backbone.")


def _is_teacher(prefix: str) -> bool:
    """Whether ``prefix`` names a momentum/teacher copy (GroupContrast's ``teacher.``, BYOL's ``target.``)."""
    parts = prefix.split(".")
    return any("teacher" in p or "momentum" in p or "target" in p or p in ("ema", "ema_model") for p in parts)


def detect_backbone_prefix(
    keys: Iterable[str], preferred: str | None = None, backbone_keys: Iterable[str] | None = None
) -> tuple[str, int, dict[str, int]]:
    """The checkpoint prefix holding the backbone: ``(prefix, keys under it, counts of every candidate)``.

    Why: pretraining (``student.backbone.``, under DDP ``module.student.backbone.``), Pointcept
    (``module.backbone.``), fine-tuned (``backbone.``) and bare backbone checkpoints each name it differently.
    ``module.`` is stripped first. Candidates are every leading path ending in ``backbone.``; with
    ``backbone_keys`` (the model backbone's own key names, without prefix) a key counts only if the rest of
    it is one of them, and ``""`` (a bare backbone state dict) is a candidate too. A teacher/momentum copy
    never beats another candidate; otherwise the most keys win, ties broken by :data:`PREFIX_PREFERENCE`.
    ``preferred`` (e.g. the benchmark's method table entry) wins whenever it holds any key.
    Raises ``KeyError`` when there is no candidate.
    """
    keys = [k.removeprefix("module.") for k in keys]
    wanted = set(backbone_keys) if backbone_keys is not None else None
    counts: Counter[str] = Counter()
    for key in keys:
        parts = key.split(".")
        for i, part in enumerate(parts[:-1]):
            if part == "backbone":
                prefix = ".".join(parts[: i + 1]) + "."
                if wanted is None or key[len(prefix) :] in wanted:
                    counts[prefix] += 1
                break
        if wanted is not None and key in wanted:
            counts[""] += 1
    if preferred is not None and counts.get(preferred, 0) > 0:
        return preferred, counts[preferred], dict(counts)
    if not counts:
        hint = "" if wanted is None else f" and no key is one of the model backbone's ({sorted(wanted)[:3]} ...)"
        raise KeyError(f"no checkpoint key contains a 'backbone.' path component{hint}; cannot find the "
                       f"pretrained backbone (first keys: {keys[:5]})")

    def rank(prefix: str) -> tuple[int, int, int]:
        order = PREFIX_PREFERENCE.index(prefix) if prefix in PREFIX_PREFERENCE else len(PREFIX_PREFERENCE)
        return (int(_is_teacher(prefix)), -counts[prefix], order)

    best = min(counts, key=rank)
    return best, counts[best], dict(counts)


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


def _match(own: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor]) -> tuple[LoadReport, dict]:
    """Sort renamed checkpoint tensors into loadable / unexpected / wrong shape against the model's."""
    report = LoadReport()
    compatible = {}
    for key, value in state.items():
        if key not in own:
            report.unexpected.append(key)
        elif tuple(own[key].shape) != tuple(value.shape):
            report.shape_mismatch.append((key, tuple(value.shape), tuple(own[key].shape)))
        else:
            compatible[key] = value
    mismatched = {m[0] for m in report.shape_mismatch}
    report.missing = [k for k in own if k not in compatible and k not in mismatched]
    report.loaded = sorted(compatible)
    return report, compatible


def load_weights(
    model: nn.Module,
    path: str,
    mapping: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
    strict: bool = False,
    keep_unmapped: bool = True,
) -> LoadReport:
    """Load ``path`` into ``model`` (DDP-wrapped or not) on the CPU first; report every mismatch."""
    state = read_state_dict(path)
    target = unwrap_model(model)
    own = target.state_dict()
    report, compatible = _match(own, remap_state_dict(state, own.keys(), mapping, keep_unmapped))
    if strict and (report.missing or report.unexpected or report.shape_mismatch):
        raise KeyError(f"strict weight loading of {path} failed:\n{report.summary()}")
    target.load_state_dict(compatible, strict=False)
    return report


# The task head inside a backbone, relative to the backbone: SpUNet's classifier ``final`` and
# PointMLP-debug's ``head``. Fine-tuning replaces it (another num_classes, or none in pretraining), so its
# keys may be missing from the checkpoint or have another shape without counting as "backbone not loaded";
# when present with the right shape (a fine-tuned checkpoint of the same task) they still load.
TASK_HEAD_PREFIXES: tuple[str, ...] = ("final.", "head.")


class BackboneLoadError(RuntimeError):
    """``weight=`` did not fill the model's backbone (keys missing or of another shape)."""

    def __init__(self, message: str, missing: Sequence[str] = ()):
        super().__init__(message)
        self.missing = list(missing)


def _partial_rule(allow_partial: bool | str | Sequence[str] | None) -> tuple[bool, tuple[str, ...]]:
    """``weight_allow_partial`` as (excuse every key, excused key prefixes); rejects other types."""
    if allow_partial is None or isinstance(allow_partial, bool):
        return bool(allow_partial), ()
    if isinstance(allow_partial, str):
        return False, (allow_partial,)
    if isinstance(allow_partial, (list, tuple)) and all(isinstance(p, str) for p in allow_partial):
        return False, tuple(allow_partial)
    raise TypeError(f"weight_allow_partial must be True/False or a list of model key prefixes "
                    f"(e.g. ['backbone.enc.3.']), not {allow_partial!r}")


def _show(keys: Sequence[str], limit: int = 50) -> str:
    keys = list(keys)
    more = f", ... ({len(keys) - limit} more, all in the log)" if len(keys) > limit else ""
    return ", ".join(keys[:limit]) + more


def load_backbone_weights(
    model: nn.Module,
    path: str,
    mapping: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
    keep_unmapped: bool = True,
    allow_partial: bool | str | Sequence[str] | None = False,
    strict: bool = False,
) -> LoadReport:
    """Fine-tuning's ``weight=``: fill ``model``'s backbone from ``path``, wherever the checkpoint keeps it.

    Why: each checkpoint layout names the backbone differently (this project's pretraining
    ``[module.]student.backbone.`` next to ``teacher.backbone.``; Pointcept's ``module.backbone.``;
    fine-tuned ``backbone.`` with a head; a bare backbone state dict), and a mapping matching nothing used
    to load 0 tensors and train from scratch while reported as pretrained.

    1. ``mapping`` rules (``weight_mapping``) are applied when one of them matches a checkpoint key; when
       none is given or none matches (a note says so), :func:`detect_backbone_prefix` finds the prefix
       among keys naming the model backbone's tensors and renames it to the model's (``backbone.``, or
       ``""`` when the model has no ``backbone`` sub-module: the whole model is the backbone). Keys outside
       that prefix are kept only if the checkpoint already uses the model's naming and ``keep_unmapped``.
    2. Every backbone tensor must load with the model's shape, except the task head
       (:data:`TASK_HEAD_PREFIXES`, e.g. ``backbone.final.*``) and keys ``allow_partial`` excuses: ``True``
       excuses all (at least one backbone tensor must still load), a list of model key prefixes (e.g.
       ``["backbone.enc.3."]``) excuses those. Otherwise :class:`BackboneLoadError` lists the keys and
       nothing is written into the model. ``strict`` fails on any mismatch at all.
    """
    excuse_all, excused_prefixes = _partial_rule(allow_partial)
    state = read_state_dict(path)
    target = unwrap_model(model)
    own = target.state_dict()
    base = "backbone." if any(k.startswith("backbone.") for k in own) else ""
    backbone = [k for k in own if k.startswith(base)]
    rules = [tuple(m) for m in (mapping.items() if isinstance(mapping, Mapping) else mapping or [])]
    plain = [k.removeprefix("module.") for k in state]
    notes: list[str] = []
    prefix = None
    if rules and any(k.startswith(old.removeprefix("module.")) for k in plain for old, _ in rules):
        renamed = remap_state_dict(state, own.keys(), rules, keep_unmapped)
        notes.append(f"weight_mapping {rules} applied")
    else:
        if rules:
            notes.append(f"weight_mapping {rules} matches no key of {path}: using the detected backbone prefix")
        try:
            prefix, _, counts = detect_backbone_prefix(plain, backbone_keys=[k[len(base) :] for k in backbone])
        except KeyError as error:
            raise BackboneLoadError(
                f"{path}: found no backbone to load into the model's {base or 'top level'!r} "
                f"({len(backbone)} tensors, e.g. {backbone[:2]}): {error.args[0]}. Expected a pretraining, "
                "Pointcept, fine-tuned or bare-backbone checkpoint; check weight= (and weight_mapping)",
                missing=backbone,
            ) from None
        if len(counts) > 1:
            notes.append(f"backbone candidates in the checkpoint (matching tensors): {counts}")
        renamed = remap_state_dict(state, own.keys(), [(prefix, base)], keep_unmapped and prefix == base)
    report, compatible = _match(own, renamed)
    report.source_prefix, report.notes = prefix, notes
    head = tuple(base + h for h in TASK_HEAD_PREFIXES)
    not_loaded = [k for k in backbone if k not in compatible]
    report.excused = [k for k in not_loaded if excuse_all or k.startswith(head) or k.startswith(excused_prefixes)]
    failing = [k for k in not_loaded if k not in set(report.excused)]
    loaded_backbone = sum(1 for k in compatible if k.startswith(base))
    # counters such as BatchNorm's num_batches_tracked match any architecture: they alone are no load
    loaded_weights = sum(1 for k in compatible if k.startswith(base) and own[k].is_floating_point())
    if failing or loaded_weights == 0:
        shapes = {k: (a, b) for k, a, b in report.shape_mismatch}
        listed = [f"{k} (checkpoint {shapes[k][0]} vs model {shapes[k][1]})" if k in shapes else k
                  for k in (failing or not_loaded)]
        where = f"prefix {prefix!r}" if prefix is not None else f"weight_mapping {rules}"
        raise BackboneLoadError(
            f"{path}: the model's backbone did not load: {loaded_backbone} of {len(backbone)} backbone tensors "
            f"loaded, {loaded_weights} of them floating-point (checkpoint {where}); not loaded ({len(listed)}): "
            f"{_show(listed)}. Expected every "
            f"backbone tensor except the task head ({', '.join(p + '*' for p in head)}). Check weight= and "
            "weight_mapping; to fine-tune from a partial backbone on purpose set weight_allow_partial=True "
            "or a list of allowed-missing key prefixes",
            missing=listed,
        )
    if strict and (report.missing or report.unexpected or report.shape_mismatch):
        raise KeyError(f"strict weight loading of {path} failed:\n{report.summary()}")
    target.load_state_dict(compatible, strict=False)
    return report
