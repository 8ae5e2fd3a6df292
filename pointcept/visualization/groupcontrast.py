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
Registers ``tools/visualize.py groupcontrast``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .colors import label_colors, rgb_colors, scalar_colors
from .commands import add_render_arguments, command, render_options, scene_name
from .ply import write_ply
from .render import Panel, render_panels
from .scene import load_scene_dir

#: similarity features: the backbone output, or the contrast projector's embedding of it
FEATURES = ("backbone", "contrast")
BRANCHES = ("teacher", "student")
#: BatchNorm statistics: "running" (eval mode, what a fine-tuned backbone starts from) or "batch" (this
#: scene's own statistics, what the teacher's assignment K in the training loss is computed with)
BN_STATS = ("running", "batch")


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
    from pointcept.models.weights import unwrap_model

    model = unwrap_model(model)
    if not all(hasattr(model, name) for name in ("teacher", "student", "center")):
        raise TypeError(f"{type(model).__name__} is not a GroupContrast model (no teacher/student/center)")
    return model


def load_groupcontrast(config_file: str | os.PathLike, weight: str | None = None) -> tuple[nn.Module, Any]:
    """Build the config's model on the CPU, load ``weight`` (when given) and return ``(model, cfg)``."""
    from pointcept.models import build_model
    from pointcept.models.weights import load_weights
    from pointcept.utils.config import Config

    cfg = Config.fromfile(str(config_file))
    model = unwrap_groupcontrast(build_model(cfg.model))
    if weight:
        report = load_weights(model, weight)
        if not report.loaded:
            raise ValueError(f"{weight}: no tensor matched the model\n{report.summary()}")
    return model.eval(), cfg


@contextlib.contextmanager
def batch_norm_statistics(model: nn.Module, use_batch: bool = True) -> Iterator[None]:
    """Let the BatchNorm layers normalise with the batch's statistics, leaving their buffers untouched.

    Early in pretraining the running statistics lag far behind the weights (Pointcept's BN momentum is
    0.01), so eval-mode features can be nearly constant while the loss, computed in train mode, sees
    diverse groups. The buffers (running mean/var, batch count) are restored on exit.
    """
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    norms = norms if use_batch else []
    saved = [(m, m.training, [b.detach().clone() for b in m.buffers(recurse=False)]) for m in norms]
    for m in norms:
        m.train()
    try:
        yield
    finally:
        for m, training, buffers in saved:
            m.train(training)
            for buffer, value in zip(m.buffers(recurse=False), buffers):
                buffer.copy_(value)


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
    bn_stats: str = "running",
) -> GroupContrastMaps:
    """The four maps for one voxelised sample; ``inverse`` maps points to voxel rows (None: identity).

    The model is used in the mode it is in (call it in eval mode; ``bn_stats="batch"`` then switches only
    the BatchNorm layers to this sample's statistics, see :func:`batch_norm_statistics`); ``coord``
    (points) picks the default query point.
    """
    if feature not in FEATURES or branch not in BRANCHES or bn_stats not in BN_STATS:
        raise ValueError(
            f"feature must be one of {FEATURES}, branch one of {BRANCHES}, bn_stats one of {BN_STATS}"
        )
    gc = unwrap_groupcontrast(model)
    part = gc.teacher if branch == "teacher" else gc.student
    with batch_norm_statistics(part, use_batch=bn_stats == "batch"):
        return _maps(gc, part, inputs, segment, inverse, query_index, feature, branch, coord)


def _maps(gc, part, inputs, segment, inverse, query_index, feature, branch, coord) -> GroupContrastMaps:
    device = next(gc.parameters()).device
    feats = part.backbone({k: v.to(device) for k, v in inputs.items()})
    segment = np.asarray(segment, dtype=np.int64).reshape(-1)
    inverse = np.arange(len(feats)) if inverse is None else np.asarray(inverse, dtype=np.int64).reshape(-1)
    if len(inverse) != len(segment):
        raise ValueError(f"{len(segment)} segment ids for {len(inverse)} points")
    dense, pair_voxel, pair_segment = _segment_pairs(segment, inverse)
    group = np.full(len(segment), -1, dtype=np.int64)
    confidence = np.full(len(segment), np.nan, dtype=np.float32)
    if len(pair_voxel):
        seg_group, seg_conf = _segment_groups(gc, part, feats, pair_voxel, pair_segment, branch)
        has = dense >= 0
        group[has], confidence[has] = seg_group[dense[has]], seg_conf[dense[has]]
    if query_index is None:
        query_index = default_query(coord) if coord is not None else 0
    if not 0 <= int(query_index) < len(segment):
        raise IndexError(f"query index {query_index} outside 0..{len(segment) - 1}")
    sim_feats = part.contrast_projector(feats) if feature == "contrast" else feats
    similarity = similarity_to_query(sim_feats, int(inverse[query_index]))[inverse]
    num_prototypes = int(part.prototypes.shape[0])
    return GroupContrastMaps(segment, group, confidence, similarity, int(query_index), num_prototypes)


def _segment_groups(gc, part, feats, pair_voxel, pair_segment, branch) -> tuple[np.ndarray, np.ndarray]:
    """Group (argmax) and confidence (max) of each dense segment: Eq. 1 pooling, then Eq. 3's teacher
    softmax (centred, ``tau_t``) or the student's (``tau_s``, no centre)."""
    from pointcept.models.group_contrast.grouping import pooled_segment_features

    device = feats.device
    z = part.group_projector(feats)[torch.from_numpy(pair_voxel).to(device)]
    z_seg = pooled_segment_features(z, torch.from_numpy(pair_segment).to(device), int(pair_segment.max()) + 1)
    if branch == "teacher":
        tau = gc.tau_t if getattr(gc, "sharpening", True) else gc.tau_s
        center = gc.center if getattr(gc, "centering", True) else None
    else:
        tau, center = gc.tau_s, None
    confidence, group = segment_assignment(z_seg, part.prototypes, center, tau).max(dim=1)
    return group.cpu().numpy(), confidence.cpu().numpy().astype(np.float32)


def analyze_scene(
    model: nn.Module,
    scene: Mapping[str, np.ndarray],
    spec: InputSpec = InputSpec(),
    query_index: int | None = None,
    feature: str = "backbone",
    branch: str = "teacher",
    seed: int = 0,
    bn_stats: str = "running",
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
                            coord=np.asarray(scene["coord"]), bn_stats=bn_stats)
    finally:
        model.train(was_training)


# ------------------------------------------------------------------------------------------ pictures
MAP_NAMES = ("rgb", "segments", "groups", "confidence", "similarity")


def similarity_range(similarity: np.ndarray, fixed: bool = False) -> tuple[float, float]:
    """Colour range of a similarity map: ``(-1, 1)`` when ``fixed``, else from its 2nd percentile to 1.

    Backbone features after a ReLU are never negative, so on a fixed scale every point looks alike;
    the stretched scale shows which points are *relatively* close to the query (the title gives it).
    """
    finite = similarity[np.isfinite(similarity)]
    if fixed or finite.size == 0:
        return -1.0, 1.0
    return min(float(np.percentile(finite, 2)), 0.999), 1.0


def map_colors(
    maps: GroupContrastMaps, color: np.ndarray | None, fixed_similarity: bool = False
) -> dict[str, np.ndarray]:
    """(N, 3) uint8 colours of each map in :data:`MAP_NAMES` (confidence from 1/n; similarity blue..red)."""
    return {
        "rgb": rgb_colors(color, len(maps.segment)),
        "segments": label_colors(maps.segment),
        "groups": label_colors(maps.group),
        "confidence": scalar_colors(maps.confidence, 1.0 / maps.num_prototypes, 1.0, cmap="viridis"),
        "similarity": scalar_colors(maps.similarity, *similarity_range(maps.similarity, fixed_similarity),
                                    cmap="coolwarm"),
    }


def map_panels(
    maps: GroupContrastMaps,
    color: np.ndarray | None,
    names: Sequence[str] = MAP_NAMES,
    fixed_similarity: bool = False,
) -> list[Panel]:
    """Titled panels of the maps (the query point is starred on the similarity panel)."""
    colors = map_colors(maps, color, fixed_similarity)
    low, _ = similarity_range(maps.similarity, fixed_similarity)
    segments = len(np.unique(maps.segment[maps.segment >= 0]))
    groups = len(np.unique(maps.group[maps.group >= 0]))
    conf = maps.confidence[np.isfinite(maps.confidence)]
    titles = {
        "rgb": "RGB",
        "segments": f"segments ({segments})",
        "groups": f"groups ({groups} of {maps.num_prototypes})",
        "confidence": f"confidence (mean {conf.mean():.2f})" if conf.size else "confidence",
        "similarity": f"similarity to point {maps.query_index} ({low:.2f}..1)",
    }
    return [Panel(colors[k], titles[k], maps.query_index if k == "similarity" else None) for k in names]


# ------------------------------------------------------------------------------------------ subcommand
def _groupcontrast_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config-file", required=True, help="the GroupContrast pretraining config")
    parser.add_argument("--weight", default=None, help="checkpoint (.pth); omitted: random initialisation")
    parser.add_argument("--query-index", type=int, default=None, help="query point of the similarity map")
    parser.add_argument("--feature", choices=["backbone", "contrast"], default="backbone",
                        help="features of the similarity map")
    parser.add_argument("--branch", choices=["teacher", "student"], default="teacher")
    parser.add_argument("--bn-stats", choices=["running", "batch"], default="running",
                        help="BatchNorm statistics: running (eval mode) or the scene's own (as the training "
                             "loss sees them; use it early in pretraining, when running statistics lag)")
    parser.add_argument("--fixed-similarity", action="store_true",
                        help="colour similarity on [-1, 1] instead of stretching it from its 2nd percentile")
    parser.add_argument("--no-ply", action="store_true", help="write only the PNG pictures")
    add_render_arguments(parser)


@command("groupcontrast", "segments, groups, confidence and similarity of a GC model on one scene",
         _groupcontrast_args)
def run_groupcontrast(args: argparse.Namespace) -> None:
    """``tools/visualize.py groupcontrast``: the four maps of a GC model on one scene, PNG (+ PLY)."""
    model, cfg = load_groupcontrast(args.config_file, args.weight)
    spec = input_spec(cfg)
    scene = load_scene_dir(args.scene, normals="normal" in spec.feat_keys)
    maps = analyze_scene(model, scene, spec, args.query_index, args.feature, args.branch,
                         bn_stats=args.bn_stats)
    name, out = scene_name(args.scene), Path(args.out)
    panels = map_panels(maps, scene.get("color"), fixed_similarity=args.fixed_similarity)
    weight = os.path.basename(args.weight) if args.weight else "random init"
    title = f"{name} | {weight} | {args.branch}, {args.bn_stats} BN statistics"
    written = [render_panels(out / f"{name}_groupcontrast.png", scene["coord"], panels, title=title,
                             **render_options(args))]
    for key, panel in zip(MAP_NAMES, panels):
        path = out / f"{name}_{key}.png"
        written.append(render_panels(path, scene["coord"], [panel], **render_options(args)))
    if not args.no_ply:
        scalars = {"segment": maps.segment, "group": maps.group, "confidence": maps.confidence,
                   "similarity": maps.similarity}
        for key, colors in map_colors(maps, scene.get("color"), args.fixed_similarity).items():
            written.append(write_ply(out / f"{name}_{key}.ply", scene["coord"], colors, scalars))
    for path in written:
        print(path)
