"""Pictures of 3D detection: true and predicted boxes over a scene, as a top-down PNG and a PLY wireframe.

The PNG has two panels on the same extent: the true boxes, and the predicted boxes (dashed, labelled with
class and score) over the true ones in grey, so misses, duplicates and loose boxes are visible at once.
The PLY holds the points plus every box edge twice over: as ``edge`` elements (MeshLab, Blender) and as
densely sampled coloured points, for viewers that ignore edges. Registers ``tools/visualize.py boxes``;
``tools/visualize_boxes.py`` (ground truth of several scenes) draws with :func:`draw_boxes` too. Corners
and edges come from :mod:`pointcept.utils.boxes` (``box_edges`` is re-exported here for its old path).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from pointcept.utils.boxes import BOX_EDGES, bev_corners, box_corners, box_edges
from pointcept.utils.io import atomic_path

from .commands import command
from .colors import label_color, rgb_colors
from .render import save_figure, subsample_index

__all__ = ["box_edges", "draw_boxes", "draw_points_top", "unique_predictions", "boxes_figure", "write_boxes_ply"]

#: the 12 edges of a box as pairs of :func:`~pointcept.utils.boxes.box_corners` indices (old name)
EDGES = BOX_EDGES
TRUE_STYLE = dict(linestyle="-", linewidth=1.6)
PRED_STYLE = dict(linestyle="--", linewidth=1.4)


def unique_predictions(boxes: np.ndarray, classes: np.ndarray, scores: np.ndarray, threshold: float):
    """Predictions to draw: one row per distinct box (VoteNet reports each kept box once per class; the best
    class wins) with score >= ``threshold``, best first."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 7)
    classes, scores = np.asarray(classes).reshape(-1), np.asarray(scores, dtype=np.float64).reshape(-1)
    order = np.argsort(-scores, kind="stable")
    _, first = np.unique(np.round(boxes[order], 5), axis=0, return_index=True)
    keep = order[np.sort(first)]
    keep = keep[scores[keep] >= threshold]
    return boxes[keep], classes[keep], scores[keep]


def draw_points_top(ax, coord: np.ndarray, color: np.ndarray | None, max_points: int | None = 100_000) -> None:
    """Points seen from above in their own colours, lowest first so that tops stay visible."""
    keep = subsample_index(len(coord), max_points)
    keep = keep[np.argsort(coord[keep, 2], kind="stable")]
    colors = rgb_colors(None if color is None else color[keep], len(keep)) / 255.0
    ax.scatter(coord[keep, 0], coord[keep, 1], c=colors, s=1.0, linewidths=0, rasterized=True)


def draw_boxes(ax, boxes: np.ndarray, classes: np.ndarray, class_names: Sequence[str] | None = None,
               scores: np.ndarray | None = None, style: dict | None = None, color: tuple | None = None,
               labels: bool = True) -> None:
    """Footprints of ``boxes`` on a top-down axis, coloured by class (or ``color``), labelled with the
    class name (and score)."""
    for k, (box, corners) in enumerate(zip(np.asarray(boxes).reshape(-1, 7), bev_corners(boxes))):
        cls = int(classes[k])
        rgb = color if color is not None else tuple(c / 255 for c in label_color(cls))
        ring = np.vstack([corners, corners[:1]])
        ax.plot(ring[:, 0], ring[:, 1], color=rgb, **(style or TRUE_STYLE))
        # a tick from the centre along the heading shows orientation
        tip = box[:2] + 0.5 * box[3] * np.array([np.cos(box[6]), np.sin(box[6])])
        ax.plot([box[0], tip[0]], [box[1], tip[1]], color=rgb, linewidth=0.8)
        if labels:
            name = class_names[cls] if class_names is not None and 0 <= cls < len(class_names) else str(cls)
            text = name if scores is None else f"{name} {scores[k]:.2f}"
            ax.text(box[0], box[1], text, fontsize=6, ha="center", va="center",
                    bbox=dict(facecolor="white", alpha=0.6, linewidth=0, pad=0.5))


def boxes_figure(coord, color, true_boxes, true_classes, pred=None, class_names=None, title: str = "",
                 panel_px: int = 700, max_points: int | None = 100_000):
    """The two-panel figure (true | predicted over true); ``pred`` = (boxes, classes, scores) or None."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = 1 if pred is None else 2
    dpi = 100
    fig = Figure(figsize=(panels * panel_px / dpi, panel_px / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    every = np.concatenate([coord[:, :2], bev_corners(true_boxes).reshape(-1, 2)])
    if pred is not None and len(pred[0]):
        every = np.concatenate([every, bev_corners(pred[0]).reshape(-1, 2)])
    lo, hi = every.min(axis=0), every.max(axis=0)
    centre, half = (lo + hi) / 2, (hi - lo).max() / 2 * 1.04 + 1e-6
    titles = [f"true: {len(true_boxes)} boxes"]
    if pred is not None:
        titles.append(f"predicted: {len(pred[0])} boxes (dashed), true in grey")
    for p in range(panels):
        ax = fig.add_subplot(1, panels, p + 1)
        draw_points_top(ax, coord, color, max_points)
        if p == 0:
            draw_boxes(ax, true_boxes, true_classes, class_names)
        else:
            draw_boxes(ax, true_boxes, true_classes, None, style=dict(linestyle="-", linewidth=1.0),
                       color=(0.45, 0.45, 0.45), labels=False)
            draw_boxes(ax, pred[0], pred[1], class_names, pred[2], style=PRED_STYLE)
        ax.set_xlim(centre[0] - half, centre[0] + half)
        ax.set_ylim(centre[1] - half, centre[1] + half)
        ax.set_aspect("equal")
        ax.set_title(titles[p], fontsize=9)
        ax.tick_params(labelsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def write_boxes_ply(path: str | os.PathLike, coord: np.ndarray, color: np.ndarray | None,
                    box_sets: Sequence[tuple[np.ndarray, tuple[int, int, int]]], samples_per_m: float = 100.0) -> Path:
    """Binary PLY of the points, each box set's wireframe as sampled points and as ``edge`` elements;
    ``box_sets`` = [(boxes (K, 7), rgb)]."""
    coord = np.asarray(coord, dtype=np.float64).reshape(-1, 3)
    points, colors = [coord], [rgb_colors(color, len(coord))]
    corner_rows, corner_colors, edges = [], [], []
    base = 0
    for boxes, rgb in box_sets:
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 7)
        if not len(boxes):
            continue
        for start, end in box_edges(boxes).reshape(-1, 2, 3):
            count = max(int(np.linalg.norm(end - start) * samples_per_m), 2)
            t = np.linspace(0, 1, count)[:, None]
            points.append(start + t * (end - start))
            colors.append(np.tile(np.array(rgb, np.uint8), (count, 1)))
        corners = box_corners(boxes).reshape(-1, 3)
        corner_rows.append(corners)
        corner_colors.append(np.tile(np.array(rgb, np.uint8), (len(corners), 1)))
        for k in range(len(boxes)):
            edges += [(base + 8 * k + a, base + 8 * k + b, *rgb) for a, b in EDGES]
        base += len(corners)
    points, colors = points + corner_rows, colors + corner_colors
    vertices = np.concatenate(points)
    vertex_colors = np.concatenate(colors)
    offset = len(vertices) - base  # corners come last: edge indices shift past the other vertices
    vertex = np.empty(len(vertices), dtype=[("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("red", "u1"), ("green", "u1"),
                                            ("blue", "u1")])
    for i, axis in enumerate("xyz"):
        vertex[axis] = vertices[:, i]
    for i, channel in enumerate(("red", "green", "blue")):
        vertex[channel] = vertex_colors[:, i]
    edge = np.array([(a + offset, b + offset, r, g, bl) for a, b, r, g, bl in edges],
                    dtype=[("vertex1", "<i4"), ("vertex2", "<i4"), ("red", "u1"), ("green", "u1"), ("blue", "u1")])
    header = ["ply", "format binary_little_endian 1.0", f"element vertex {len(vertex)}",
              "property float x", "property float y", "property float z",
              "property uchar red", "property uchar green", "property uchar blue",
              f"element edge {len(edge)}", "property int vertex1", "property int vertex2",
              "property uchar red", "property uchar green", "property uchar blue", "end_header"]
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        handle.write(("\n".join(header) + "\n").encode("ascii"))
        handle.write(vertex.tobytes())
        handle.write(edge.tobytes())
    return path


# ------------------------------------------------------------------------------------------ subcommand
def _boxes_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config-file", required=True, help="a detection config (dataset, classes, model)")
    parser.add_argument("--scene", required=True, help="scene or frame name in the config's test split")
    parser.add_argument("--split", default=None, help="another split of the same data root (e.g. train)")
    parser.add_argument("--data-root", default=None, help="override the config's data root")
    parser.add_argument("--weight", default=None, help="checkpoint: predict the scene with it")
    parser.add_argument("--pred", default=None, help="or read predictions: a <scene>_pred.npz of the tester")
    parser.add_argument("--score-threshold", type=float, default=0.3, help="predictions drawn from this score")
    parser.add_argument("--out", default="exp/visualize", help="output folder")
    parser.add_argument("--panel-px", type=int, default=700)
    parser.add_argument("--max-points", type=int, default=100_000, help="points drawn (evenly subsampled)")
    parser.add_argument("--no-ply", action="store_true", help="write only the PNG")


def _predict(cfg, dataset, index: int, weight: str):
    """Run the configured model with ``weight`` on one scene of ``dataset``."""
    import torch

    from pointcept.datasets.collate import point_collate_fn
    from pointcept.models import build_model
    from pointcept.models.weights import load_weights

    model = build_model(cfg.model)
    load_weights(model, weight, strict=True)
    model.eval()
    with torch.no_grad():
        return model(point_collate_fn([dataset[index]]))["predictions"][0]


@command("boxes", "predicted and true 3D boxes of a detection model on one scene (PNG + PLY wireframes)", _boxes_args)
def run_boxes(args: argparse.Namespace) -> None:
    from pointcept.datasets import build_dataset
    from pointcept.utils.config import Config

    cfg = Config.fromfile(args.config_file)
    data_cfg = dict(cfg.data.test)
    data_cfg.update({k: v for k, v in (("split", args.split), ("data_root", args.data_root)) if v is not None})
    dataset = build_dataset(data_cfg)
    names = [dataset.get_data_name(i) for i in range(len(dataset.data_list))]
    if args.scene not in names:
        raise SystemExit(f"{args.scene!r} is not in {data_cfg['data_root']} ({data_cfg['split']}); "
                         f"it has {', '.join(names[:8])}{' ...' if len(names) > 8 else ''}")
    index = names.index(args.scene)
    raw = dataset.get_data(index)
    pred = None
    if args.pred:
        with np.load(args.pred) as stored:
            pred = (stored["boxes"], stored["classes"], stored["scores"])
    elif args.weight:
        pred = _predict(cfg, dataset, index, args.weight)
    if pred is not None:
        pred = unique_predictions(*pred, threshold=args.score_threshold)
    class_names = list(cfg.data.get("names") or getattr(dataset, "DETECTION_CLASS_NAMES", ()) or []) or None
    source = os.path.basename(args.weight or args.pred or "") or "no predictions"
    fig = boxes_figure(raw["coord"], raw.get("color"), raw["gt_boxes"], raw["gt_classes"], pred, class_names,
                       title=f"{args.scene} | {source} | score >= {args.score_threshold:g}",
                       panel_px=args.panel_px, max_points=args.max_points)
    out = Path(args.out)
    written = [save_figure(fig, out / f"{args.scene}_boxes.png")]
    if not args.no_ply:
        sets = [(raw["gt_boxes"], (0, 200, 0))] + ([(pred[0], (230, 30, 30))] if pred is not None else [])
        written.append(write_boxes_ply(out / f"{args.scene}_boxes.ply", raw["coord"], raw.get("color"), sets))
    for path in written:
        print(path)
