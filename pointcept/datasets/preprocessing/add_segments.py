"""Add geometry segments (``superpoint.npy``) and normals to every scene of a Pointcept-layout data root.

Why a separate pass: GroupContrast needs a segment id per point, and data roots made from bare point
clouds have none. Each scene ``<root>/<split>/<scene>/`` with ``coord.npy`` gets ``<name>.npy`` (int32,
from :func:`segment_point_cloud`) and, when missing, ``normal.npy`` (float32 unit normals; an existing one
is used for the segmentation). Work runs in worker processes; it is resumable (scenes with the output are
skipped unless ``overwrite``), writes are atomic, and one bad scene never stops the others.
"""

from __future__ import annotations

import argparse
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pointcept.utils.io import atomic_np_save

from . import segmentation as seg
from .runner import Summary, remove_stale_temps, run_scenes

__all__ = [
    "SegmentParams", "Summary", "add_graph_cut_arguments", "add_segments", "find_scenes", "graph_cut_params",
    "process_scene",
]


@dataclass
class SegmentParams:
    """Options of one scene's segmentation (defaults: the point-cloud defaults of :mod:`.segmentation`)."""

    name: str = "superpoint"
    overwrite: bool = False
    save_normals: bool = True
    k_neighbors: int = seg.PC_K_NEIGHBORS
    k_thresh: float = seg.PC_K_THRESH
    seg_min_verts: int = seg.PC_SEG_MIN_VERTS
    normal_k: int = seg.PC_NORMAL_K
    normal_method: str = "pca"
    color_weight: float = 0.0
    backend: str | None = None


def add_graph_cut_arguments(parser: argparse.ArgumentParser) -> None:
    """Command-line options of the point-cloud graph cut (the fields of :class:`SegmentParams` it uses)."""
    parser.add_argument("--k-neighbors", type=int, default=seg.PC_K_NEIGHBORS, help="kNN graph degree")
    parser.add_argument("--k-thresh", type=float, default=seg.PC_K_THRESH, help="graph cut threshold k")
    parser.add_argument("--seg-min-verts", type=int, default=seg.PC_SEG_MIN_VERTS, help="min segment size")
    parser.add_argument("--normal-k", type=int, default=seg.PC_NORMAL_K, help="neighbours for normals")
    parser.add_argument("--normal-method", choices=["pca", "open3d"], default="pca")
    parser.add_argument("--color-weight", type=float, default=0.0,
                        help="weight of the colour difference in edge weights (default 0: geometry only)")
    parser.add_argument("--backend", choices=["auto", "compiled", "python"], default=None,
                        help="graph cut backend (default: $POINTCEPT_GRAPH_CUT_BACKEND or auto)")


def graph_cut_params(args: argparse.Namespace, **extra) -> SegmentParams:
    """:class:`SegmentParams` from parsed :func:`add_graph_cut_arguments` options plus ``extra`` fields."""
    return SegmentParams(
        k_neighbors=args.k_neighbors, k_thresh=args.k_thresh, seg_min_verts=args.seg_min_verts,
        normal_k=args.normal_k, normal_method=args.normal_method, color_weight=args.color_weight,
        backend=args.backend, **extra,
    )


def find_scenes(root: str | os.PathLike, splits: list[str] | None = None) -> list[Path]:
    """Scene folders ``<root>/<split>/<scene>`` that hold a ``coord.npy`` (sorted)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"data root {root} is not a directory")
    scenes = sorted(p.parent for p in root.glob("*/*/coord.npy"))
    if splits:
        scenes = [s for s in scenes if s.parent.name in set(splits)]
    return scenes


def _load_points(path: Path, what: str, n: int | None = None) -> np.ndarray:
    try:
        array = np.load(path)
    except Exception as error:  # noqa: BLE001 - any unreadable file is a scene failure with a reason
        raise ValueError(f"cannot read {path.name}: {type(error).__name__}: {error}") from None
    if array.ndim != 2 or array.shape[1] < 3 or (n is not None and len(array) != n):
        raise ValueError(f"{path.name} has shape {array.shape}, expected ({n or 'N'}, 3) {what}")
    return array[:, :3]


def process_scene(scene: str | os.PathLike, params: SegmentParams) -> tuple[str, str]:
    """Segment one scene; returns ``(status, detail)``, status ``done`` or ``skipped``; raises on error."""
    scene = Path(scene)
    out = scene / f"{params.name}.npy"
    normal_path = scene / "normal.npy"
    if out.exists() and not params.overwrite:
        return "skipped", "exists"
    for stale in (out.name, normal_path.name):
        remove_stale_temps(scene, stale)
    coord = _load_points(scene / "coord.npy", "coordinates").astype(np.float32)
    if not np.isfinite(coord).all():
        raise ValueError("coord.npy has NaN or infinite values")
    normals = None
    if normal_path.exists():
        normals = _load_points(normal_path, "normals", len(coord)).astype(np.float32)
    color = None
    if params.color_weight and (scene / "color.npy").exists():
        color = _load_points(scene / "color.npy", "colours", len(coord))
    if normals is None:
        normals = seg.point_cloud_normals(coord, k=params.normal_k, method=params.normal_method)
        if params.save_normals:
            atomic_np_save(normal_path, normals.astype(np.float32))
    labels = seg.segment_point_cloud(
        coord, normals, k_neighbors=params.k_neighbors, k_thresh=params.k_thresh,
        seg_min_verts=params.seg_min_verts, color=color, color_weight=params.color_weight,
        backend=params.backend,
    )
    atomic_np_save(out, labels.astype(np.int32))
    return "done", f"{len(coord)} points, {int(labels.max()) + 1 if len(labels) else 0} segments"


def add_segments(
    root: str | os.PathLike, params: SegmentParams | None = None, workers: int = 1,
    splits: list[str] | None = None, progress: bool = True,
) -> Summary:
    """Process every scene under ``root``; see the module docstring. ``workers <= 1`` runs in-process."""
    params = params or SegmentParams()
    root = Path(root)
    scenes = find_scenes(root, splits)
    seg.get_backend(params.backend)  # compile (or warn) once here, before the workers start
    items = {str(s.relative_to(root)): str(s) for s in scenes}
    return run_scenes(functools.partial(process_scene, params=params), items, workers, "segments", progress)
