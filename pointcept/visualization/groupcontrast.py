"""What a GroupContrast model sees in one scene (paper Figures 1, 4, 6, 8), as per-point numpy arrays.

* ``segment``: the geometry segments (superpoints) the grouping starts from;
* ``group``: the prototype each segment is assigned to. As in training (Eq. 1-3), a segment's feature is
  the average of the l2-normalised grouping-projector features of its voxels, and its assignment is
  ``softmax((z S^T - c) / tau_t)`` of the *teacher* branch (centre ``c`` and sharpening as configured);
  the group is the argmax, the same for every point of the segment;
* ``confidence``: the max of that softmax, in ``[1/n, 1]`` (what weights the positives of Eq. 8);
* ``similarity``: cosine similarity of every point's feature to one query point, in ``[-1, 1]``.

The backbone runs on the voxelised scene (``GridSample`` mode train with a fixed seed, so the pictures do
not depend on, nor disturb, any global RNG) and voxel results reach every point through ``inverse``.
Works for a randomly initialised model too: the pictures then show what the architecture alone gives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .colors import label_colors, rgb_colors, scalar_colors
from .render import Panel

#: similarity features: the backbone output, or the contrast projector's embedding of it
FEATURES = ("backbone", "contrast")
BRANCHES = ("teacher", "student")


@dataclass(frozen=True)
class InputSpec:
    """How a scene becomes the backbone's input: voxel size and the per-point arrays stacked as ``feat``."""

    grid_size: float = 0.02
    feat_keys: tuple[str, ...] = ("color", "normal")


@dataclass
class GroupContrastMaps:
    """Per-point results of :func:`analyze_scene`; points without a segment have group -1, NaN confidence."""

    segment: np.ndarray
    group: np.ndarray
    confidence: np.ndarray
    similarity: np.ndarray
    query_index: int
    num_prototypes: int


# ------------------------------------------------------------------------------------------ model/config
def _walk(node: Any):
    """Every dict inside a nested config (lists, tuples, dicts), depth first."""
    if isinstance(node, Mapping):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _walk(value)


def input_spec(cfg: Mapping) -> InputSpec:
    """The grid size and feature keys of a config's training pipeline (GridSample, Collect), else defaults.

    In a two-view pipeline the ``GridSample`` sits in the views' transforms and ``Collect`` has
    ``view1_feat_keys``; the ``view1_`` prefix is dropped.
    """
    data = cfg.get("data", {}) or {}
    pipeline = (data.get("train") or {}).get("transform") or []
    grid_size, feat_keys = None, None
    for node in _walk(pipeline):
        if node.get("type") == "GridSample" and grid_size is None:
            grid_size = float(np.min(node.get("grid_size", InputSpec.grid_size)))
        if node.get("type") == "Collect" and feat_keys is None:
            keys = node.get("feat_keys") or node.get("view1_feat_keys")
            if keys:
                keys = [keys] if isinstance(keys, str) else list(keys)
                feat_keys = tuple(k.removeprefix("view1_") for k in keys)
    return InputSpec(grid_size or InputSpec.grid_size, feat_keys or InputSpec.feat_keys)


def unwrap_groupcontrast(model: nn.Module) -> nn.Module:
    """The GC model inside a DDP wrapper; fails clearly for a model that is not GroupContrast."""
    from pointcept.engines.checkpoint import unwrap_model

    model = unwrap_model(model)
    if not all(hasattr(model, name) for name in ("teacher", "student", "center")):
        raise TypeError(f"{type(model).__name__} is not a GroupContrast model (no teacher/student/center)")
    return model


def load_groupcontrast(config_file: str | os.PathLike, weight: str | None = None) -> tuple[nn.Module, Any]:
    """Build the config's model on the CPU, load ``weight`` (when given) and return ``(model, cfg)``."""
    from pointcept.engines.checkpoint import load_weights
    from pointcept.models import build_model
    from pointcept.utils.config import Config

    cfg = Config.fromfile(str(config_file))
    model = unwrap_groupcontrast(build_model(cfg.model))
    if weight:
        report = load_weights(model, weight)
        if not report.loaded:
            raise ValueError(f"{weight}: no tensor matched the model\n{report.summary()}")
    return model.eval(), cfg


# ------------------------------------------------------------------------------------------ inputs
def prepare_scene(
    scene: Mapping[str, np.ndarray], spec: InputSpec = InputSpec(), seed: int = 0
) -> tuple[dict[str, torch.Tensor], np.ndarray]:
    """Voxelise a scene like the training views do; returns the backbone input and ``inverse`` (N,).

    ``inverse[i]`` is the voxel row of point ``i``. Missing normals are estimated when a feature needs them.
    """
    from pointcept.datasets.transforms import Compose
    from pointcept.utils.geometry import estimate_normals

    coord = np.asarray(scene["coord"], dtype=np.float32)
    data: dict[str, Any] = {"coord": coord.copy()}
    for key in spec.feat_keys:
        if key == "coord":
            continue
        if key in scene:
            data[key] = np.asarray(scene[key], dtype=np.float32).reshape(len(coord), -1).copy()
        elif key == "normal":
            data[key] = estimate_normals(coord)
        else:
            raise KeyError(f"the model's input needs {key!r}, which the scene does not have")
    data["index_valid_keys"] = list(data)
    pipeline = Compose([
        dict(type="CenterShift", apply_z=True),
        dict(type="GridSample", grid_size=spec.grid_size, hash_type="fnv", mode="train", return_inverse=True),
        dict(type="NormalizeColor"),
    ])  # fmt: skip
    data = pipeline(data, np.random.default_rng(seed))
    feat = torch.cat([torch.from_numpy(np.asarray(data[k], np.float32)).reshape(len(data["coord"]), -1)
                      for k in spec.feat_keys], dim=1)
    inputs = {
        "coord": torch.from_numpy(data["coord"]),
        "grid_coord": torch.from_numpy(data["grid_coord"]).long(),
        "feat": feat,
        "offset": torch.tensor([len(feat)]),
    }
    return inputs, np.asarray(data["inverse"], dtype=np.int64)


# ------------------------------------------------------------------------------------------ the maps
def segment_assignment(
    z: torch.Tensor, prototypes: torch.Tensor, center: torch.Tensor | None, tau: float
) -> torch.Tensor:
    """``softmax((cos(z, S) - center) / tau)`` per segment row: (S, D) x (n, D) -> (S, n)."""
    from pointcept.models.group_contrast.losses import assignment_logits

    logits = assignment_logits(z, prototypes)
    if center is not None:
        logits = logits - center
    return F.softmax(logits / tau, dim=-1)


def similarity_to_query(features: torch.Tensor | np.ndarray, query_index: int) -> np.ndarray:
    """Cosine similarity (N,) float32 of every feature row to row ``query_index``, clipped to [-1, 1]."""
    if not isinstance(features, torch.Tensor):
        features = torch.from_numpy(np.asarray(features))
    features = F.normalize(features.detach().float(), dim=-1)
    similarity = features @ features[int(query_index)]
    return similarity.clamp(-1.0, 1.0).cpu().numpy().astype(np.float32)


def default_query(coord: np.ndarray) -> int:
    """A point at furniture height near the middle of the scene (nearest to the bbox centre at 1/4 height)."""
    coord = np.asarray(coord, dtype=np.float64)
    lo, hi = coord.min(axis=0), coord.max(axis=0)
    target = np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2] + 0.25 * (hi[2] - lo[2])])
    return int(np.argmin(((coord - target) ** 2).sum(axis=1)))


def _segment_pairs(segment: np.ndarray, inverse: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense segment id per point (-1 none), and the distinct (voxel, dense segment) pairs to pool over.

    Pooling over distinct pairs is the training's average over voxels of the segment; a segment whose
    points all fell in voxels kept for another segment still gets the features of those voxels.
    """
    valid = segment >= 0
    dense = np.full(len(segment), -1, dtype=np.int64)
    _, dense[valid] = np.unique(segment[valid], return_inverse=True)
    count = int(dense.max()) + 1 if valid.any() else 0
    keys = np.unique(inverse[valid] * max(count, 1) + dense[valid])
    return dense, keys // max(count, 1), keys % max(count, 1)


@torch.no_grad()
def compute_maps(
    model: nn.Module,
    inputs: Mapping[str, torch.Tensor],
    segment: np.ndarray,
    inverse: np.ndarray | None = None,
    query_index: int | None = None,
    feature: str = "backbone",
    branch: str = "teacher",
    coord: np.ndarray | None = None,
) -> GroupContrastMaps:
    """The four maps for one voxelised sample; ``inverse`` maps points to voxel rows (None: identity).

    The model is used as it is (call it in eval mode); ``coord`` (points) picks the default query point.
    """
    if feature not in FEATURES or branch not in BRANCHES:
        raise ValueError(f"feature must be one of {FEATURES} and branch one of {BRANCHES}")
    gc = unwrap_groupcontrast(model)
    part = gc.teacher if branch == "teacher" else gc.student
    device = next(gc.parameters()).device
    feats = part.backbone({k: v.to(device) for k, v in inputs.items()})
    segment = np.asarray(segment, dtype=np.int64).reshape(-1)
    inverse = np.arange(len(feats)) if inverse is None else np.asarray(inverse, dtype=np.int64).reshape(-1)
    if len(inverse) != len(segment):
        raise ValueError(f"{len(segment)} segment ids for {len(inverse)} points")

    dense, pair_voxel, pair_segment = _segment_pairs(segment, inverse)
    num_segments = int(dense.max()) + 1 if (dense >= 0).any() else 0
    n = part.prototypes.shape[0]
    group = np.full(len(segment), -1, dtype=np.int64)
    confidence = np.full(len(segment), np.nan, dtype=np.float32)
    if num_segments:
        from pointcept.models.group_contrast.grouping import pooled_segment_features

        z = part.group_projector(feats)
        pair_voxel_t = torch.from_numpy(pair_voxel).to(device)
        z_seg = pooled_segment_features(z[pair_voxel_t], torch.from_numpy(pair_segment).to(device), num_segments)
        if branch == "teacher":
            tau = gc.tau_t if getattr(gc, "sharpening", True) else gc.tau_s
            center = gc.center if getattr(gc, "centering", True) else None
        else:
            tau, center = gc.tau_s, None
        K = segment_assignment(z_seg, part.prototypes, center, tau)
        seg_conf, seg_group = (t.cpu().numpy() for t in K.max(dim=1))
        has = dense >= 0
        group[has] = seg_group[dense[has]]
        confidence[has] = seg_conf[dense[has]]

    if query_index is None:
        query_index = default_query(coord) if coord is not None else 0
    if not 0 <= int(query_index) < len(segment):
        raise IndexError(f"query index {query_index} outside 0..{len(segment) - 1}")
    sim_feats = part.contrast_projector(feats) if feature == "contrast" else feats
    similarity = similarity_to_query(sim_feats, int(inverse[query_index]))[inverse]
    return GroupContrastMaps(segment, group, confidence, similarity, int(query_index), int(n))


def analyze_scene(
    model: nn.Module,
    scene: Mapping[str, np.ndarray],
    spec: InputSpec = InputSpec(),
    query_index: int | None = None,
    feature: str = "backbone",
    branch: str = "teacher",
    seed: int = 0,
) -> GroupContrastMaps:
    """Segments, groups, confidence and similarity for every point of a scene (``coord`` + features +
    ``superpoint``); puts the model in eval mode for the call and restores its mode."""
    if "superpoint" not in scene:
        raise KeyError("the scene has no 'superpoint' array (compute it with segment_point_cloud)")
    inputs, inverse = prepare_scene(scene, spec, seed)
    was_training = model.training
    model.eval()
    try:
        return compute_maps(model, inputs, scene["superpoint"], inverse, query_index, feature, branch,
                            coord=np.asarray(scene["coord"]))
    finally:
        model.train(was_training)


# ------------------------------------------------------------------------------------------ pictures
MAP_NAMES = ("rgb", "segments", "groups", "confidence", "similarity")


def map_colors(maps: GroupContrastMaps, color: np.ndarray | None) -> dict[str, np.ndarray]:
    """(N, 3) uint8 colours of each map in :data:`MAP_NAMES` (similarity: blue -1 .. red +1)."""
    return {
        "rgb": rgb_colors(color, len(maps.segment)),
        "segments": label_colors(maps.segment),
        "groups": label_colors(maps.group),
        "confidence": scalar_colors(maps.confidence, 1.0 / maps.num_prototypes, 1.0, cmap="viridis"),
        "similarity": scalar_colors(maps.similarity, -1.0, 1.0, cmap="coolwarm"),
    }


def map_panels(maps: GroupContrastMaps, color: np.ndarray | None, names: Sequence[str] = MAP_NAMES) -> list[Panel]:
    """Titled panels of the maps (the query point is starred on the similarity panel)."""
    colors = map_colors(maps, color)
    segments = len(np.unique(maps.segment[maps.segment >= 0]))
    groups = len(np.unique(maps.group[maps.group >= 0]))
    conf = maps.confidence[np.isfinite(maps.confidence)]
    titles = {
        "rgb": "RGB",
        "segments": f"segments ({segments})",
        "groups": f"groups ({groups} of {maps.num_prototypes})",
        "confidence": f"confidence (mean {conf.mean():.2f})" if conf.size else "confidence",
        "similarity": f"similarity to point {maps.query_index}",
    }
    return [Panel(colors[k], titles[k], maps.query_index if k == "similarity" else None) for k in names]
