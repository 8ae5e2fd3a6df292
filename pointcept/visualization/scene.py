"""Read one scene folder in the Pointcept layout for pictures, filling in what the pictures need.

Unlike ``DefaultDataset`` this needs no data root or split: any folder of ``<key>.npy`` arrays works
(a demo room, a preprocessed ScanNet scene). Normals are estimated and graph-cut superpoints computed
when the folder has none, so a bare ``coord.npy`` (+ ``color.npy``) is enough. Registers
``tools/visualize.py scene`` (a scene coloured by RGB or labels).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from .colors import label_colors, rgb_colors
from .commands import add_render_arguments, command, render_options, scene_name
from .render import Panel, render_panels

#: data key -> file stems tried in order (ScanNet folders name their labels segment20/segment200)
SCENE_FILES: dict[str, tuple[str, ...]] = {
    "coord": ("coord",),
    "color": ("color",),
    "normal": ("normal",),
    "superpoint": ("superpoint",),
    "segment": ("segment", "segment20", "segment200", "segment13"),
    "instance": ("instance",),
}


def load_scene_dir(
    scene_dir: str | os.PathLike,
    normals: bool = True,
    superpoints: bool = True,
    superpoint_options: dict | None = None,
) -> dict[str, np.ndarray]:
    """The arrays of ``scene_dir``; ``normal``/``superpoint`` are computed when missing and asked for."""
    from pointcept.datasets.defaults import SceneDataError

    scene_dir = Path(scene_dir)
    if not (scene_dir / "coord.npy").is_file():
        raise SceneDataError(f"{scene_dir}: no coord.npy (not a scene folder)")
    scene: dict[str, np.ndarray] = {}
    for key, stems in SCENE_FILES.items():
        for stem in stems:
            path = scene_dir / f"{stem}.npy"
            if path.is_file():
                scene[key] = np.load(path)
                break
    coord = scene["coord"]
    if coord.ndim != 2 or coord.shape[1] != 3 or len(coord) == 0:
        raise SceneDataError(f"{scene_dir / 'coord.npy'}: expected a non-empty (N, 3) array, "
                             f"got {coord.shape}")
    for key, array in scene.items():
        if len(array) != len(coord):
            raise SceneDataError(f"{scene_dir}: {key} has {len(array)} entries for {len(coord)} points")
    for key in ("superpoint", "segment", "instance"):
        if key in scene:
            scene[key] = scene[key].reshape(-1).astype(np.int64)
    if normals and "normal" not in scene:
        from pointcept.utils.geometry import estimate_normals

        scene["normal"] = estimate_normals(coord)
    if superpoints and "superpoint" not in scene:
        from pointcept.datasets.preprocessing.segmentation import segment_point_cloud

        options = superpoint_options or {}
        scene["superpoint"] = segment_point_cloud(coord, normals=scene.get("normal"), **options)
    return scene


# ------------------------------------------------------------------------------------------ subcommand
COLOR_BY = ("rgb", "segment", "instance", "superpoint")


def _scene_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--color-by", choices=COLOR_BY, default="rgb",
                        help="segment = semantic labels; superpoint is computed when the scene has none")
    add_render_arguments(parser)


@command("scene", "render a scene coloured by RGB, semantic labels, instances or superpoints", _scene_args)
def run_scene(args: argparse.Namespace) -> None:
    """``tools/visualize.py scene``: one scene coloured by RGB or by one of its label arrays, as a PNG."""
    scene = load_scene_dir(args.scene, normals=False, superpoints=args.color_by == "superpoint")
    coord = scene["coord"]
    if args.color_by == "rgb":
        colors = rgb_colors(scene.get("color"), len(coord))
        title = "RGB"
    else:
        if args.color_by not in scene:
            raise SystemExit(f"{args.scene}: no {args.color_by} labels to colour by")
        labels = scene[args.color_by]
        colors = label_colors(labels)
        title = f"{args.color_by} ({len(np.unique(labels[labels >= 0]))})"
    name = scene_name(args.scene)
    path = render_panels(Path(args.out) / f"{name}_{args.color_by}.png", coord, [Panel(colors, title)],
                         title=name, **render_options(args))
    print(path)
