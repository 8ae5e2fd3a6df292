"""PointGroup's dual-set grouping in plain torch: the same code (and the same clusters) on CPU and CUDA.

Pointcept's PointGroup needs compiled CUDA ops (ball query + BFS). Here:

* **radius graph** (:func:`radius_components`): points are hashed into cells of side ``r / sqrt(3)``, so two
  points of one cell are always within ``r`` and are joined without a distance test; pairs of points in
  neighbouring cells (offsets -2..2 per axis, the only cells that can hold a point within ``r``) are
  tested exactly, ``dx*dx + dy*dy + dz*dz <= r*r`` in float64, one element-wise op at a time so CPU and
  CUDA round identically. Cell pairs whose cells are already in one component are skipped, which keeps
  the dense blobs of shifted coordinates (thousands of points near one centroid) cheap.
* **connected components** (:func:`connected_components`): hooking and pointer jumping with
  ``scatter_reduce(amin)``; every component is labelled by its smallest member, so the labels are a
  function of the graph alone, whatever the device or the order of edges.
* **proposals**: among points predicted as the same thing class (and the same sample), components in the
  original and in the shifted (``coord + offset``) coordinates; small ones dropped; each scored by its
  mean class probability (summed in fixed point, so the ranking is the same on every device); greedy
  non-maximum suppression by mask IoU over both sets.
"""

from __future__ import annotations

import math
from itertools import product
from typing import Sequence

import torch

#: the sets PointGroup clusters: Q (coordinates shifted by the offsets) and P (original coordinates). Q comes
#: first so that it wins score ties in NMS: two touching chairs merge in P, and the merged proposal's mean
#: probability (a weighted mean of the two chairs') never exceeds the better chair's, so it is suppressed.
CLUSTER_SETS = ("shifted", "original")
#: proposal scores are summed in fixed point with this scale (2^40: exact for any scene size in int64)
SCORE_SCALE = float(2**40)
#: point pairs tested per chunk (bounds memory: ~ 80 bytes per pair)
PAIR_CHUNK = 1 << 20


def _neighbour_offsets() -> list[tuple[int, int, int]]:
    """Half of the 5x5x5 cell neighbourhood (the other half is symmetric), nearest cells first."""
    half = [o for o in product(range(-2, 3), repeat=3) if o > (0, 0, 0)]
    return sorted(half, key=lambda o: (sum(max(abs(c) - 1, 0) ** 2 for c in o), sum(c * c for c in o), o))


NEIGHBOUR_OFFSETS = _neighbour_offsets()


def connected_components(parent: torch.Tensor, src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
    """Merge a forest by the edges ``src[i] - dst[i]``; returns each node's root (its component's minimum).

    ``parent`` must satisfy ``parent[x] <= x`` and point at roots (``torch.arange(n)`` for singletons).
    Hooking sets the larger of two roots under the smaller one; pointer jumping flattens the trees again.
    """
    parent = parent.clone()
    while len(src):
        a, b = parent[src], parent[dst]
        differ = a != b
        if not bool(differ.any()):
            break
        a, b = a[differ], b[differ]
        parent.scatter_reduce_(0, torch.maximum(a, b), torch.minimum(a, b), reduce="amin")
        while True:
            jumped = parent[parent]
            if torch.equal(jumped, parent):
                break
            parent = jumped
        src, dst = src[differ], dst[differ]
    return parent


def _cell_keys(
    points: torch.Tensor, groups: torch.Tensor, cell_size: float
) -> tuple[torch.Tensor, list[int]]:
    """One int64 key per point for (group, cell), with 2 empty cells of margin on every side."""
    cell = torch.floor(points.double() / cell_size).long()
    cell = cell - cell.min(dim=0).values + 2
    dims = [int(d) + 3 for d in cell.max(dim=0).values.tolist()]
    if (int(groups.max()) + 1) * dims[0] * dims[1] * dims[2] >= 2**62:
        raise ValueError(
            f"clustering: the cloud spans too many cells ({dims}); check the coordinates/offsets"
        )
    key = ((groups * dims[0] + cell[:, 0]) * dims[1] + cell[:, 1]) * dims[2] + cell[:, 2]
    return key, dims


def radius_components(
    points: torch.Tensor, radius: float, groups: torch.Tensor | None = None
) -> torch.Tensor:
    """Connected components of the graph joining points of one group within ``radius`` of each other.

    Returns (N,) int64: the smallest point index of each point's component.
    """
    n = len(points)
    device = points.device
    if n == 0:
        return torch.zeros(0, dtype=torch.long, device=device)
    if radius <= 0:
        raise ValueError(f"clustering radius must be > 0, got {radius}")
    groups = torch.zeros(n, dtype=torch.long, device=device) if groups is None else groups.long()
    cell_size = radius / math.sqrt(3) * (1 - 1e-6)  # a cell's diagonal is just under the radius
    key, dims = _cell_keys(points, groups, cell_size)
    order = torch.argsort(key, stable=True)
    cell_keys, counts = torch.unique_consecutive(key[order], return_counts=True)
    starts = torch.cumsum(counts, 0) - counts
    cell_of_point = torch.empty(n, dtype=torch.long, device=device)
    cell_of_point[order] = torch.repeat_interleave(torch.arange(len(cell_keys), device=device), counts)
    # cell-level components; a cell's root is its smallest point index (cells start as their first point)
    first_point = torch.full((len(cell_keys),), n, dtype=torch.long, device=device)
    first_point.scatter_reduce_(0, cell_of_point, torch.arange(n, device=device), reduce="amin")
    cell_order = torch.argsort(first_point)  # relabel cells so that parent[x] <= x holds
    rank = torch.empty_like(cell_order)
    rank[cell_order] = torch.arange(len(cell_order), device=device)
    parent = torch.arange(len(cell_keys), device=device)
    xyz = points.double()
    for offset in NEIGHBOUR_OFFSETS:
        shift = (offset[0] * dims[1] + offset[1]) * dims[2] + offset[2]
        target = cell_keys + shift
        found = torch.searchsorted(cell_keys, target).clamp_max(len(cell_keys) - 1)
        ok = cell_keys[found] == target
        cell_a, cell_b = torch.nonzero(ok).reshape(-1), found[ok]
        if not len(cell_a):
            continue
        parent = _join_close_cells(parent, rank, cell_a, cell_b, starts, counts, order, xyz, radius)
    return first_point[cell_order[parent[rank[cell_of_point]]]]


def _join_close_cells(parent, rank, cell_a, cell_b, starts, counts, order, xyz, radius) -> torch.Tensor:
    """Join the components of cell pairs that hold a point pair within ``radius``.

    The point pairs of all open cell pairs are enumerated in chunks of ``PAIR_CHUNK`` (one dense cell pair
    may span several chunks); after each chunk the components are updated and cell pairs that became
    connected are dropped, so the rest of a dense pair is skipped once one close pair joined it.
    """
    r2 = float(radius) ** 2
    work = counts[cell_a] * counts[cell_b]
    done = torch.zeros_like(work)
    while True:
        open_pairs = (parent[rank[cell_a]] != parent[rank[cell_b]]) & (done < work)
        cell_a, cell_b, work, done = (
            cell_a[open_pairs],
            cell_b[open_pairs],
            work[open_pairs],
            done[open_pairs],
        )
        if not len(cell_a):
            return parent
        remaining = work - done
        end = torch.cumsum(remaining, 0)
        begin = end - remaining
        budget = min(PAIR_CHUNK, int(end[-1]))
        flat = torch.arange(budget, device=cell_a.device)
        pair = torch.searchsorted(end, flat, right=True)
        k = flat - begin[pair] + done[pair]  # position inside the pair's counts[a] x counts[b] grid
        n_b = counts[cell_b][pair]
        i = order[starts[cell_a][pair] + torch.div(k, n_b, rounding_mode="floor")]
        j = order[starts[cell_b][pair] + k % n_b]
        d = xyz[i] - xyz[j]
        dx, dy, dz = d[:, 0], d[:, 1], d[:, 2]
        close = (dx * dx + dy * dy) + dz * dz <= r2
        joined = torch.zeros(len(cell_a), dtype=torch.bool, device=cell_a.device)
        joined[pair[close]] = True
        done = done + (budget - begin).clamp(min=0).minimum(remaining)
        parent = connected_components(parent, rank[cell_a[joined]], rank[cell_b[joined]])


def cluster_labels(
    points: torch.Tensor, radius: float, groups: torch.Tensor | None = None, min_points: int = 1
) -> torch.Tensor:
    """Cluster ids 0..K-1 (ordered by each cluster's first point) of the radius components with at least
    ``min_points`` points; -1 for points of smaller components."""
    root = radius_components(points, radius, groups)
    if len(root) == 0:
        return root
    size = torch.bincount(root, minlength=len(root))
    keep = size[root] >= max(int(min_points), 1)
    labels = torch.full_like(root, -1)
    if bool(keep.any()):
        labels[keep] = torch.unique(root[keep], return_inverse=True)[1]
    return labels


def mask_nms(
    labels: Sequence[torch.Tensor], sizes: Sequence[torch.Tensor], scores: torch.Tensor, iou_threshold: float
) -> torch.Tensor:
    """Greedy NMS over proposals given as per-set point labellings (clusters of one set are disjoint).

    ``labels[s]`` (N,) holds set s's cluster id per point (-1 none), ``sizes[s]`` its cluster sizes; the
    proposals are numbered set by set. Intersections of two sets come from one bincount, so no (M, N) mask
    is built. Returns the kept proposal numbers, highest score first (ties: lower number first).
    """
    offsets = [0]
    for size in sizes:
        offsets.append(offsets[-1] + len(size))
    total = offsets[-1]
    device = scores.device
    if total == 0:
        return torch.zeros(0, dtype=torch.long, device=device)
    inter = torch.zeros(total, total, dtype=torch.long, device=device)
    for s in range(len(labels)):
        for t in range(s + 1, len(labels)):
            both = (labels[s] >= 0) & (labels[t] >= 0)
            ks, kt = len(sizes[s]), len(sizes[t])
            counts = torch.bincount(labels[s][both] * kt + labels[t][both], minlength=ks * kt).reshape(ks, kt)
            inter[offsets[s] : offsets[s + 1], offsets[t] : offsets[t + 1]] = counts
    inter = inter + inter.T
    size = torch.cat(list(sizes)).to(device)
    union = size[:, None] + size[None, :] - inter
    iou = (inter.double() / union.clamp_min(1).double()).cpu()
    order = torch.sort(scores.cpu(), descending=True, stable=True)[1]
    suppressed = torch.zeros(total, dtype=torch.bool)
    kept = []
    for p in order.tolist():
        if suppressed[p]:
            continue
        kept.append(p)
        suppressed |= iou[p] > iou_threshold
    return torch.tensor(kept, dtype=torch.long, device=device)


def group_instances(
    coord: torch.Tensor,
    offset_pred: torch.Tensor,
    probs: torch.Tensor,
    batch: torch.Tensor | None = None,
    stuff_classes: Sequence[int] = (),
    radius: float = 0.03,
    min_points: int = 50,
    cluster_sets: Sequence[str] = CLUSTER_SETS,
    nms_iou: float = 0.3,
    score_threshold: float = 0.0,
) -> dict[str, torch.Tensor]:
    """Instance proposals from per-point class probabilities and centroid offsets (PointGroup inference).

    Returns ``pred_masks`` (M, N) bool, ``pred_classes`` (M,), ``pred_scores`` (M,) and ``pred_batch`` (M,)
    (the sample of each proposal), highest score first.
    """
    for name in cluster_sets:
        if name not in CLUSTER_SETS:
            raise ValueError(f"cluster_sets: unknown set {name!r}; choose from {CLUSTER_SETS}")
    n, num_classes = probs.shape
    device = coord.device
    batch = torch.zeros(n, dtype=torch.long, device=device) if batch is None else batch.long()
    semantic = probs.argmax(dim=1)
    thing = ~torch.isin(semantic, torch.as_tensor(list(stuff_classes), dtype=torch.long, device=device))
    index = torch.nonzero(thing).reshape(-1)
    groups = batch[index] * num_classes + semantic[index]
    # a diverged offset head must not blow up the cell grid: shifts stay finite and within 1 m of the cloud
    shift = torch.nan_to_num(offset_pred[index].to(coord.dtype), nan=0.0, posinf=0.0, neginf=0.0)
    shifted = coord[index] + shift
    if len(index):
        lo, hi = coord.min(dim=0).values - 1.0, coord.max(dim=0).values + 1.0
        shifted = torch.maximum(torch.minimum(shifted, hi), lo)
    coordinates = {"original": coord[index], "shifted": shifted}
    labels, sizes, classes, scores, samples = [], [], [], [], []
    # fixed-point scores: integer sums are exact in any order, so CPU and CUDA rank proposals identically
    point_score = torch.round(probs[index, semantic[index]].double() * SCORE_SCALE).long()
    for name in cluster_sets:
        label = cluster_labels(coordinates[name], radius, groups, min_points)
        k = int(label.max()) + 1 if len(label) else 0
        has = label >= 0
        size = torch.bincount(label[has], minlength=k)
        total = torch.zeros(k, dtype=torch.long, device=device).scatter_add_(0, label[has], point_score[has])
        first = torch.full((k,), len(label), dtype=torch.long, device=device)
        first.scatter_reduce_(0, label[has], torch.nonzero(has).reshape(-1), reduce="amin")
        labels.append(label)
        sizes.append(size)
        scores.append(total.double() / SCORE_SCALE / size.clamp_min(1))
        classes.append(semantic[index][first] if k else semantic.new_zeros(0))
        samples.append(batch[index][first] if k else batch.new_zeros(0))
    scores_all = torch.cat(scores) if scores else torch.zeros(0, dtype=torch.float64, device=device)
    kept = mask_nms(labels, sizes, scores_all, nms_iou)
    kept = kept[scores_all[kept] >= score_threshold]
    set_of = (
        torch.cat([torch.full((len(s),), i, device=device) for i, s in enumerate(sizes)]) if sizes else kept
    )
    local = torch.cat([torch.arange(len(s), device=device) for s in sizes]) if sizes else kept
    masks = torch.zeros(len(kept), n, dtype=torch.bool, device=device)
    for row, p in enumerate(kept.tolist()):
        masks[row, index[labels[int(set_of[p])] == local[p]]] = True
    return {
        "pred_masks": masks,
        "pred_classes": torch.cat(classes)[kept] if classes else kept,
        "pred_scores": scores_all[kept].float(),
        "pred_batch": torch.cat(samples)[kept] if samples else kept,
    }


__all__ = [
    "CLUSTER_SETS",
    "connected_components",
    "radius_components",
    "cluster_labels",
    "mask_nms",
    "group_instances",
]
