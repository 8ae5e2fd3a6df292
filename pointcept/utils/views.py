"""Batch-global indices of collated two-view batches (``ContrastiveViewsGenerator`` samples).

Each two-view sample indexes its own points: ``match_index`` rows are (view-1 row, view-2 row) of that
sample and ``view*_segment`` ids run ``0..S-1`` per sample. Once samples are concatenated those indices
must be shifted by the rows (segments) of the earlier samples. ``point_collate_fn`` does it right after
concatenating, so every batch a model receives is already global; the models call
:func:`with_global_views` only so that a batch built by hand (offsets and local indices, no
``view*_batch``) still works. Pure torch, on whatever device the batch lives; no project imports but
``utils``, so ``datasets`` and ``models`` both use it.

A batch is global exactly when it holds ``view1_batch`` and ``view2_batch`` (only globalisation writes
them). Globalising a global batch changes nothing, so no batch is ever shifted twice.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch

from pointcept.utils.offsets import offset2batch, offset2starts

#: the keys :func:`globalize_view_batch` writes (those the batch's content asks for)
GLOBAL_VIEW_KEYS = (
    "view1_batch", "view2_batch", "match_index", "match_batch", "view1_segment", "view2_segment",
    "segment_batch", "view1_grid_cell", "view2_grid_cell",
)


def is_view_batch(batch: Mapping[str, Any]) -> bool:
    """Whether ``batch`` is a collated two-view batch (it has both views' offsets)."""
    return "view1_offset" in batch and "view2_offset" in batch


def is_global_view_batch(batch: Mapping[str, Any]) -> bool:
    """Whether the two-view ``batch`` already holds batch-global indices (see the module docstring)."""
    return "view1_batch" in batch and "view2_batch" in batch


def _check_rows(name: str, offset: torch.Tensor, rows: int) -> None:
    total = int(offset.reshape(-1)[-1]) if offset.numel() else 0
    if total != rows:
        raise ValueError(f"globalize_view_batch: {name} ends at {total} but the batch has {rows} rows")


def globalize_view_batch(batch: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Batch-global versions of the per-sample indices of a collated two-view batch.

    Needs ``view1_offset``, ``view2_offset``; uses ``match_index`` + ``match_offset``, ``view*_segment``
    + ``num_segments`` and ``view*_grid_cell`` when present. Returns a new dict (``batch`` is untouched):

    * ``view1_batch``/``view2_batch``: sample index of every point of each view;
    * ``match_index`` (M, 2): rows of the concatenated view1/view2 arrays; ``match_batch`` (M,);
    * ``view1_segment``/``view2_segment``: ids shifted by the segments of the earlier samples (-1 kept),
      so they are unique across the batch and still equal across views; ``segment_batch`` (S,): the
      sample of each global segment id;
    * ``view1_grid_cell``/``view2_grid_cell``: (sample, cell) pairs renumbered densely, shared by both views.

    Idempotent: for a batch that is already global (:func:`is_global_view_batch`) it returns the batch's
    own global entries unchanged, so ``{**batch, **globalize_view_batch(batch)}`` never shifts twice.
    """
    if is_global_view_batch(batch):
        return {key: batch[key] for key in GLOBAL_VIEW_KEYS if key in batch}
    offset1, offset2 = batch["view1_offset"].long(), batch["view2_offset"].long()
    if offset1.shape != offset2.shape:
        raise ValueError(
            "globalize_view_batch: view offsets differ in shape: "
            f"{tuple(offset1.shape)} vs {tuple(offset2.shape)}"
        )
    out = {"view1_batch": offset2batch(offset1), "view2_batch": offset2batch(offset2)}
    if "match_index" in batch:
        match_index, match_offset = batch["match_index"].long(), batch["match_offset"].long()
        _check_rows("match_offset", match_offset, len(match_index))
        match_batch = offset2batch(match_offset)
        starts = torch.stack([offset2starts(offset1), offset2starts(offset2)], dim=1)  # (B, 2)
        out["match_index"] = match_index + starts[match_batch]
        out["match_batch"] = match_batch
    if "num_segments" in batch:
        num_segments = batch["num_segments"].reshape(-1).long()
        seg_starts = torch.cumsum(num_segments, 0) - num_segments
        for view in ("view1", "view2"):
            segment = batch[f"{view}_segment"].long()
            shifted = segment + seg_starts[out[f"{view}_batch"]]
            out[f"{view}_segment"] = torch.where(segment >= 0, shifted, segment)
        out["segment_batch"] = torch.repeat_interleave(
            torch.arange(len(num_segments), device=num_segments.device), num_segments
        )
    if "view1_grid_cell" in batch:
        cells = [batch[f"{view}_grid_cell"].long() for view in ("view1", "view2")]
        stride = int(max(int(c.max()) if c.numel() else 0 for c in cells)) + 1
        keys = torch.cat([c + out[f"{v}_batch"] * stride for c, v in zip(cells, ("view1", "view2"))])
        dense = torch.unique(keys, return_inverse=True)[1]
        out["view1_grid_cell"], out["view2_grid_cell"] = dense[: len(cells[0])], dense[len(cells[0]):]
    return out


def with_global_views(batch: Mapping[str, Any]) -> dict[str, Any]:
    """``batch`` with batch-global view indices: a global batch as it is, a local one globalised.

    What ``point_collate_fn`` returns for two-view samples and what the two-view models read; the one
    entry point, so the "global or not" decision is made in one place.
    """
    if is_global_view_batch(batch):
        return batch if isinstance(batch, dict) else dict(batch)
    return {**batch, **globalize_view_batch(batch)}


__all__ = [
    "GLOBAL_VIEW_KEYS", "is_view_batch", "is_global_view_batch", "globalize_view_batch", "with_global_views",
]
