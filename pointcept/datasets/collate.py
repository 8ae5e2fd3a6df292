"""Batching of point clouds: samples are concatenated along the point axis, ``offset`` marks where each ends.

Point clouds have different sizes, so a batch is one long cloud plus ``offset`` = cumulative point counts
(``[N0, N0 + N1, ...]``), which is what the sparse backbones and the losses index with. Two-view
pretraining samples (``view1_offset``/``view2_offset``) also get batch-global correspondences and
segments from :func:`point_collate_fn` (see :mod:`pointcept.utils.views`).
"""

from __future__ import annotations

import numbers
from typing import Any, Mapping, Sequence

import numpy as np
import torch
from torch.utils.data.dataloader import default_collate

from pointcept.utils.views import is_view_batch, with_global_views

from .transforms.formatting import to_tensor

#: instance id of unassigned points, left untouched when Mix3D renumbers instances
IGNORE_INSTANCE = -1


def _is_offset_key(key: Any) -> bool:
    return isinstance(key, str) and "offset" in key


def _shift_inverse(inverses: list, counts: list) -> list:
    """Make each sample's ``inverse`` (indices into its own points) index the concatenated batch."""
    sizes = [int(torch.as_tensor(c).reshape(-1).sum()) for c in counts]
    starts = np.cumsum([0] + sizes[:-1])
    return [torch.as_tensor(inv) + int(start) for inv, start in zip(inverses, starts)]


def collate_fn(batch: Sequence[Any]) -> Any:
    """Concatenate tensors (dim 0), gather strings/lists into lists, recurse into dicts.

    A dict key containing ``offset`` (``offset``, ``origin_offset``, ...) holds per-sample point counts and
    becomes their cumulative sum (int64, one entry per sample). When a dict has ``offset``, its
    ``inverse`` (original point -> sampled point) is shifted by the points of the earlier samples, so
    ``pred[inverse]`` stays right for any batch size.
    """
    if not isinstance(batch, Sequence) or isinstance(batch, str) or len(batch) == 0:
        raise TypeError(f"collate_fn: expected a non-empty list of samples, got {type(batch).__name__}")
    first = batch[0]
    if isinstance(first, np.ndarray):
        batch = [to_tensor(item) for item in batch]
        first = batch[0]
    if isinstance(first, torch.Tensor):
        return torch.stack(list(batch)) if first.dim() == 0 else torch.cat(list(batch), dim=0)
    if isinstance(first, Mapping):
        for i, sample in enumerate(batch):
            missing = [k for k in first if k not in sample]
            if missing:
                raise KeyError(f"collate_fn: sample {i} lacks keys {missing} that sample 0 has")
        out = {}
        for key in first:
            values = [sample[key] for sample in batch]
            if key == "inverse" and "offset" in first:
                values = _shift_inverse(values, [sample["offset"] for sample in batch])
            value = collate_fn(values)
            out[key] = torch.cumsum(value, dim=0).long() if _is_offset_key(key) else value
        return out
    if isinstance(first, (str, list, tuple)) or first is None:
        return list(batch)
    if isinstance(first, numbers.Number):
        return torch.tensor(batch)
    return default_collate(batch)


def _mix_pairs(batch: dict) -> dict:
    """Mix3D: merge samples 0+1, 2+3, ... by dropping every other offset (an odd last one stays alone)."""
    offset = batch["offset"]
    if "instance" in batch and isinstance(batch["instance"], torch.Tensor):
        instance = batch["instance"].clone()
        bounds = [0] + offset.tolist()
        for first in range(0, len(offset) - 1, 2):
            a, b, c = bounds[first], bounds[first + 1], bounds[first + 2]
            valid_first = instance[a:b][instance[a:b] != IGNORE_INSTANCE]
            shift = int(valid_first.max()) + 1 if len(valid_first) else 0
            second = instance[b:c]
            instance[b:c] = torch.where(second != IGNORE_INSTANCE, second + shift, second)
        batch["instance"] = instance
    for key, value in list(batch.items()):
        if _is_offset_key(key) and isinstance(value, torch.Tensor) and value.shape == offset.shape:
            batch[key] = torch.cat([value[1:-1:2], value[-1:]])
    return batch


def point_collate_fn(batch: Sequence[Mapping[str, Any]], mix_prob: float = 0.0) -> dict:
    """Collate point-cloud samples; with probability ``mix_prob`` merge consecutive pairs (Mix3D).

    Mixing draws from torch's RNG. Merged pairs keep distinct instance ids: the second sample's ids are
    shifted past the first's. A test-mode sample (a dict with ``fragment_list``) is returned unchanged;
    it must come alone (``batch_size=1``).

    Two-view samples (detected by their ``view1_offset`` and ``view2_offset``) come out batch-global:
    ``match_index``, ``view*_segment`` and ``view*_grid_cell`` index the whole batch and ``view*_batch``,
    ``match_batch`` and ``segment_batch`` are added (:func:`pointcept.utils.views.globalize_view_batch`),
    so the models need no data-layer code. ``view*_batch`` marks the batch as global: globalising it
    again (a model's :func:`~pointcept.utils.views.with_global_views`) changes nothing.
    """
    if not isinstance(batch, Sequence) or len(batch) == 0 or not isinstance(batch[0], Mapping):
        raise TypeError("point_collate_fn: expected a non-empty list of sample dicts")
    if any("fragment_list" in sample for sample in batch):
        if len(batch) != 1:
            raise ValueError(
                "point_collate_fn: test-mode samples (with 'fragment_list') need batch_size=1, "
                f"got {len(batch)}"
            )
        return batch[0]
    collated = collate_fn(batch)
    if is_view_batch(collated):  # per-sample indices are only valid before samples are merged
        collated = with_global_views(collated)
    if mix_prob > 0 and "offset" in collated and torch.rand(1).item() < mix_prob:
        collated = _mix_pairs(collated)
    return collated
