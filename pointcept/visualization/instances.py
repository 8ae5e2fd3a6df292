"""Pictures of instance segmentation: a scene's true and predicted instances side by side (PNG + PLY).

Predictions are read from a ScanNet benchmark submission folder (what ``tools/test.py`` writes), so any
tester run, ours or another method's, can be drawn. A prediction that matches a true instance (IoU > 0.5)
gets that instance's colour, so correct objects look the same in both panels and errors stand out;
unmatched predictions get colours no true instance uses. Registers ``tools/visualize.py instances``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Sequence

import numpy as np

from .commands import add_render_arguments, command, render_options, scene_name


def instance_map(masks: np.ndarray, scores: np.ndarray, score_threshold: float = 0.0) -> np.ndarray:
    """(N,) index of the best-scoring mask holding each point (-1: none); masks under the threshold skip."""
    masks = np.asarray(masks, dtype=bool)
    labels = np.full(masks.shape[1] if masks.ndim == 2 else 0, -1, dtype=np.int64)
    for k in np.argsort(-np.asarray(scores), kind="stable")[::-1]:  # worst first: better masks overwrite
        if scores[k] >= score_threshold:
            labels[masks[k]] = k
    return labels


def true_instances(
    segment: np.ndarray | None, instance: np.ndarray, stuff_classes: Sequence[int]
) -> np.ndarray:
    """Dense ids 0..K-1 of the true instances (points of stuff classes and without instance: -1)."""
    instance = np.asarray(instance, dtype=np.int64)
    valid = instance >= 0
    if segment is not None:
        valid &= ~np.isin(segment, list(stuff_classes) + [-1])
    dense = np.full(len(instance), -1, dtype=np.int64)
    dense[valid] = np.unique(instance[valid], return_inverse=True)[1].reshape(-1)
    return dense


def match_colours(truth: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Colour ids of the predicted labels: a true id when IoU > 0.5 (each used once), else fresh ids."""
    colour = np.full(len(predicted), -1, dtype=np.int64)
    num_true = int(truth.max()) + 1 if len(truth) and truth.max() >= 0 else 0
    labels = np.unique(predicted[predicted >= 0])
    fresh = num_true
    used: set[int] = set()
    for label in labels:
        mask = predicted == label
        ids, counts = np.unique(truth[mask & (truth >= 0)], return_counts=True)
        best = None
        for t, inter in sorted(zip(ids.tolist(), counts.tolist()), key=lambda x: -x[1]):
            if t not in used and inter / (mask.sum() + (truth == t).sum() - inter) > 0.5:
                best = t
                break
        if best is None:
            best, fresh = fresh, fresh + 1
        used.add(best)
        colour[mask] = best
    return colour


def render_instances(
    out_dir: str | Path,
    name: str,
    scene: dict[str, np.ndarray],
    masks: np.ndarray,
    scores: np.ndarray,
    stuff_classes: Sequence[int] = (0, 1),
    score_threshold: float = 0.0,
    ply: bool = True,
    **options,
) -> list[Path]:
    """Write ``<name>_instances.png`` (RGB | true | predicted) and, with ``ply``, one PLY per labelling."""
    from .colors import label_colors, rgb_colors
    from .ply import write_ply
    from .render import Panel, render_panels

    coord = scene["coord"]
    if masks.shape[1] != len(coord):
        raise ValueError(
            f"scene {name}: prediction masks have {masks.shape[1]} entries for {len(coord)} points"
        )
    truth = (
        true_instances(scene.get("segment"), scene["instance"], stuff_classes)
        if "instance" in scene
        else (np.full(len(coord), -1, dtype=np.int64))
    )
    predicted = instance_map(masks, scores, score_threshold)
    colour_ids = match_colours(truth, predicted)
    truth_colors, predicted_colors = label_colors(truth), label_colors(colour_ids)
    panels = [
        Panel(rgb_colors(scene.get("color"), len(coord)), "RGB"),
        Panel(truth_colors, f"true instances ({int(truth.max()) + 1 if truth.max() >= 0 else 0})"),
        Panel(predicted_colors, f"predicted ({len(np.unique(predicted[predicted >= 0]))})"),
    ]
    out_dir = Path(out_dir)
    written = [render_panels(out_dir / f"{name}_instances.png", coord, panels, title=name, **options)]
    if ply:
        written.append(
            write_ply(out_dir / f"{name}_instances_true.ply", coord, truth_colors, {"instance": truth})
        )
        written.append(
            write_ply(
                out_dir / f"{name}_instances_pred.ply", coord, predicted_colors, {"instance": predicted}
            )
        )
    return written


def _instances_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pred",
        required=True,
        help="benchmark submission folder (<scene>.txt + mask files), "
        "e.g. <save_path>/submission written by tools/test.py",
    )
    parser.add_argument(
        "--stuff-classes",
        type=int,
        nargs="*",
        default=[0, 1],
        help="classes whose true instances are not drawn (ScanNet and demo: wall, floor)",
    )
    parser.add_argument(
        "--score-threshold", type=float, default=0.0, help="predictions scoring less are hidden"
    )
    parser.add_argument("--no-ply", action="store_true", help="write only the PNG picture")
    add_render_arguments(parser)


@command(
    "instances",
    "true and predicted instances of a scene (predictions from a benchmark submission)",
    _instances_args,
)
def run_instances(args: argparse.Namespace) -> None:
    from pointcept.evaluation.scannet_submission import read_scannet_submission

    from .scene import load_scene_dir

    name = scene_name(args.scene)
    scene = load_scene_dir(args.scene, normals=False, superpoints=False)
    masks, _, scores = read_scannet_submission(args.pred, name)
    if len(masks) == 0:
        masks = np.zeros((0, len(scene["coord"])), dtype=bool)
    for path in render_instances(
        args.out,
        name,
        scene,
        masks,
        scores,
        args.stuff_classes,
        args.score_threshold,
        ply=not args.no_ply,
        **render_options(args),
    ):
        print(path)


__all__ = ["instance_map", "true_instances", "match_colours", "render_instances"]
