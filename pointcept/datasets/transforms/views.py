"""Two augmented views of one scene, their point correspondences and their shared segments.

``ContrastiveViewsGenerator`` is the data side of every two-view pretraining method (GroupContrast, MSC,
PointContrast, CSC): each view is the scene passed independently through the same augmentation list, so
the two differ in pose, colour, voxelisation and crop. Because every view carries ``origin_coord`` (the
pre-augmentation position) and ``origin_index`` (the input point it came from), the generator can tell
which points of the two views are the same place of the scene, and which segments both views see.

Output (the un-prefixed per-point arrays are removed; ``name`` and other metadata stay):

* ``view1_<key>``/``view2_<key>``: everything a view's transforms produced (``coord``, ``grid_coord``,
  ``color``, ``normal``, ``origin_coord``, ``origin_index``, ...).
* ``match_index`` (M, 2) int64: local point indices (view 1, view 2); for every view-1 point its nearest
  view-2 point in ``origin_coord`` space, if no farther than ``match_radius``. ``match_offset`` = [M].
* ``view1_overlap``/``view2_overlap`` bool: the symmetric definition, a point is in the overlap when the
  *other* view has a point within ``match_radius`` (so a view-2 overlap point need not be anyone's nearest
  partner; for view 1 the overlap is exactly the matched points).
* ``view1_segment``/``view2_segment`` int64: segments (original ids from ``segment_key``) restricted to
  the overlap, kept when both views have at least ``min_segment_points`` overlap points of it, relabelled
  ``0..S-1`` identically in both views; -1 outside the overlap, in a dropped segment or where the
  original id is negative. ``num_segments`` = [S].
* ``view1_grid_cell``/``view2_grid_cell`` int64 (only with ``cell_size``): the ``cell_size`` cube of
  ``origin_coord`` each point lies in, with ids shared by both views (GroupContrast's "grid" grouping
  ablation; ``segment_key="grid_cell"`` groups by these cells instead of superpoints).

The correspondences come from the project's one matcher (:func:`pointcept.utils.matching.match_views`,
the radius matcher the models use too), run on CPU tensors in the loader worker.

Batching convention (``point_collate_fn``): view arrays are concatenated and ``view1_offset``,
``view2_offset`` and ``match_offset`` become cumulative counts; ``match_index``, ``view*_segment`` and
``view*_grid_cell`` are then made batch-global and ``view*_batch``, ``match_batch`` and ``segment_batch``
added (:func:`pointcept.utils.views.globalize_view_batch`; ``num_segments`` stays per sample). A single
sample out of this generator holds LOCAL indices (there is only one sample).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from pointcept.utils import matching

from .base import TRANSFORMS, Compose, Transform, add_point_key, point_keys

#: names the generator writes per view; a view key of the same name would be overwritten
GENERATED_VIEW_KEYS = ("segment", "overlap", "grid_cell")


def match_views(
    origin1: np.ndarray, origin2: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest view-2 partner of each view-1 point within ``radius`` (inclusive), and both overlap masks.

    The numpy face of :func:`pointcept.utils.matching.match_views` (float64 distances), for the
    generator's loader-worker arrays. Returns ``match_index`` (M, 2) int64, ``overlap1`` and
    ``overlap2`` (bool, symmetric definition).
    """
    origin1 = torch.from_numpy(np.asarray(origin1, dtype=np.float64).reshape(-1, 3))
    origin2 = torch.from_numpy(np.asarray(origin2, dtype=np.float64).reshape(-1, 3))
    match_index, overlap1, overlap2 = matching.match_views(origin1, origin2, float(radius))
    return match_index.numpy(), overlap1.numpy(), overlap2.numpy()


def shared_segments(
    segment1: np.ndarray,
    segment2: np.ndarray,
    overlap1: np.ndarray,
    overlap2: np.ndarray,
    min_points: int = 1,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Relabel the segments seen in the overlap of both views to ``0..S-1`` (sorted by original id).

    A segment is kept when each view has at least ``min_points`` overlap points of it; other points,
    points outside the overlap and negative (unsegmented) ids get -1.
    """
    segment1, segment2 = np.asarray(segment1).reshape(-1), np.asarray(segment2).reshape(-1)
    in1 = overlap1 & (segment1 >= 0)
    in2 = overlap2 & (segment2 >= 0)
    ids1, counts1 = np.unique(segment1[in1], return_counts=True)
    ids2, counts2 = np.unique(segment2[in2], return_counts=True)
    kept = np.intersect1d(ids1[counts1 >= min_points], ids2[counts2 >= min_points])

    def relabel(segment: np.ndarray, inside: np.ndarray) -> np.ndarray:
        out = np.full(len(segment), -1, dtype=np.int64)
        pos = np.searchsorted(kept, segment)
        valid = inside & (pos < len(kept))
        valid[valid] = kept[pos[valid]] == segment[valid]
        out[valid] = pos[valid]
        return out

    return relabel(segment1, in1), relabel(segment2, in2), len(kept)


def grid_cells(origin_coord: np.ndarray, cell_size: float) -> np.ndarray:
    """int64 id of the ``cell_size`` cube of each point, unique within the cloud (row-major in its bbox)."""
    cell = np.floor(np.asarray(origin_coord, dtype=np.float64) / cell_size).astype(np.int64)
    if len(cell) == 0:
        return np.zeros(0, np.int64)
    cell -= cell.min(axis=0)
    dims = cell.max(axis=0) + 1
    return (cell[:, 0] * dims[1] + cell[:, 1]) * dims[2] + cell[:, 2]


@TRANSFORMS.register_module()
class ContrastiveViewsGenerator(Transform):
    """Split a scene into two independently augmented views with correspondences and shared segments.

    Args:
        view_keys: per-point keys copied into each view (``coord`` and ``origin_coord`` are required).
        view_trans_cfg: transform configs applied to each view, with the sample's one generator (the two
            views differ because they consume different draws).
        match_radius: largest ``origin_coord`` distance of a correspondence (m).
        segment_key: per-point key of segment ids (``"grid_cell"`` uses the cells of ``cell_size``;
            ``None`` skips segments). It need not be a view key: it is looked up through ``origin_index``.
        min_segment_points: overlap points a segment needs in each view to be kept.
        cell_size: when given, add ``view*_grid_cell`` (cells of this size, m).
        copy_origin_coord: snapshot ``coord`` as ``origin_coord`` here, for a pipeline without the usual
            ``Copy(keys_dict={"coord": "origin_coord"})``; off by default so a forgotten Copy fails loudly.
    """

    def __init__(
        self,
        view_keys: Sequence[str] = ("coord", "color", "normal", "origin_coord", "superpoint"),
        view_trans_cfg: Sequence[dict] | None = None,
        match_radius: float = 0.03,
        segment_key: str | None = "superpoint",
        min_segment_points: int = 1,
        cell_size: float | None = None,
        copy_origin_coord: bool = False,
    ):
        self.view_keys = [view_keys] if isinstance(view_keys, str) else list(view_keys)
        for required in ("coord", "origin_coord"):
            if required not in self.view_keys:
                raise ValueError(f"ContrastiveViewsGenerator: view_keys must contain {required!r}")
        clashes = [k for k in GENERATED_VIEW_KEYS if k in self.view_keys]
        if clashes:
            raise ValueError(
                f"ContrastiveViewsGenerator: view_keys {clashes} clash with the generated "
                f"view*_{clashes[0]}; copy them under another name first"
            )
        if match_radius <= 0:
            raise ValueError(f"ContrastiveViewsGenerator: match_radius must be > 0, got {match_radius}")
        if segment_key == "grid_cell" and cell_size is None:
            raise ValueError("ContrastiveViewsGenerator: segment_key='grid_cell' needs cell_size")
        if cell_size is not None and cell_size <= 0:
            raise ValueError(f"ContrastiveViewsGenerator: cell_size must be > 0, got {cell_size}")
        self.view_trans_cfg = list(view_trans_cfg or [])
        self.view_trans = Compose(self.view_trans_cfg)
        self.match_radius = float(match_radius)
        self.segment_key = segment_key
        self.min_segment_points = int(min_segment_points)
        self.cell_size = cell_size
        self.copy_origin_coord = copy_origin_coord

    def _check(self, data: dict, n: int) -> None:
        needed = list(self.view_keys)
        if self.segment_key not in (None, "grid_cell"):
            needed.append(self.segment_key)
        for key in needed:
            if key not in data:
                hint = ""
                if key == "origin_coord":
                    hint = " (add Copy(keys_dict={'coord': 'origin_coord'}) before it)"
                raise KeyError(f"ContrastiveViewsGenerator: key {key!r} is not in the sample{hint}")
            if len(data[key]) != n:
                raise ValueError(
                    f"ContrastiveViewsGenerator: {key!r} has {len(data[key])} rows but coord has {n}; "
                    "view keys must be per-point at the generator's input"
                )

    def _make_view(self, data: dict, rng: np.random.Generator) -> dict:
        view = {key: np.array(data[key], copy=True) for key in (*self.view_keys, "origin_index")}
        view["index_valid_keys"] = [*self.view_keys, "origin_index"]
        view = self.view_trans(view, rng)
        if not isinstance(view, dict):
            raise TypeError(
                "ContrastiveViewsGenerator: view transforms must return one dict (no test-mode splits)"
            )
        view.pop("index_valid_keys", None)
        return view

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        n = len(data["coord"])
        if self.copy_origin_coord:
            data["origin_coord"] = np.array(data["coord"], copy=True)
        self._check(data, n)
        data["origin_index"] = np.arange(n, dtype=np.int64)
        add_point_key(data, "origin_index")
        # origin_coord comes from Copy, which declares it not per-point; each view declares it per-point
        view1, view2 = self._make_view(data, rng), self._make_view(data, rng)

        match_index, overlap1, overlap2 = match_views(
            view1["origin_coord"], view2["origin_coord"], self.match_radius
        )
        view1["overlap"], view2["overlap"] = overlap1, overlap2
        cells = grid_cells(data["origin_coord"], self.cell_size) if self.cell_size is not None else None
        if cells is not None:
            view1["grid_cell"] = cells[view1["origin_index"]]
            view2["grid_cell"] = cells[view2["origin_index"]]
        extra = {"match_index": match_index, "match_offset": np.array([len(match_index)], dtype=np.int64)}
        if self.segment_key is not None:
            if self.segment_key == "grid_cell":
                source = cells
            else:
                source = np.asarray(data[self.segment_key]).reshape(-1)
            seg1, seg2, num = shared_segments(
                source[view1["origin_index"]], source[view2["origin_index"]], overlap1, overlap2,
                self.min_segment_points,
            )
            view1["segment"], view2["segment"] = seg1, seg2
            extra["num_segments"] = np.array([num], dtype=np.int64)

        for key in {*point_keys(data), *self.view_keys, "origin_index"}:
            data.pop(key, None)
        if self.segment_key not in (None, "grid_cell"):
            data.pop(self.segment_key, None)
        data["index_valid_keys"] = []
        for prefix, view in (("view1_", view1), ("view2_", view2)):
            for key, value in view.items():
                data[prefix + key] = value
        data.update(extra)
        return data
