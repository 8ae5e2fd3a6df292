"""Batch-global indices for collated two-view samples (see ``transforms/views.py``).

``point_collate_fn`` concatenates the views but leaves ``match_index`` and ``view*_segment`` local to each
sample, so that collation stays a plain concatenation; a loss that works on the whole batch calls
:func:`globalize_view_batch` to shift them. Pure torch, on whatever device the batch lives.
"""

from __future__ import annotations

from typing import Mapping

import torch

from pointcept.utils.offsets import offset2batch, offset2bincount, offset2starts


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
    """
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
