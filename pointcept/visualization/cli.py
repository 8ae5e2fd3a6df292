"""``tools/visualize.py``: one small function per subcommand, registered in :data:`COMMANDS`.

Adding a subcommand (``instances``, ``boxes`` ...) is one decorated function plus its arguments::

    def _my_args(parser): parser.add_argument("--scene", required=True)

    @command("mine", "what it draws", _my_args)
    def run_mine(args) -> None: ...

in this module, or in a module imported at its end; :func:`main` builds the parser from the registry.
Every subcommand prints the paths it wrote, one per line.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np


@dataclass(frozen=True)
class Command:
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int | None]


COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, add_arguments: Callable[[argparse.ArgumentParser], None]):
    """Register ``run(args)`` as subcommand ``name`` (a name registered twice is a programming error)."""

    def register(run: Callable[[argparse.Namespace], int | None]):
        if name in COMMANDS:
            raise KeyError(f"visualize subcommand {name!r} is already registered")
        COMMANDS[name] = Command(help, add_arguments, run)
        return run

    return register


def add_render_arguments(parser: argparse.ArgumentParser) -> None:
    """``--scene``, ``--out`` and the picture options every subcommand shares."""
    parser.add_argument("--scene", required=True, help="scene folder of <key>.npy arrays (coord, color, ...)")
    parser.add_argument("--out", default="exp/visualize", help="output folder")
    parser.add_argument("--panel-px", type=int, default=500, help="pixels per panel side")
    parser.add_argument("--views", nargs="+", default=["top", "oblique"], choices=["top", "oblique"])
    parser.add_argument("--max-points", type=int, default=100_000,
                        help="points drawn per panel (evenly subsampled)")


def render_options(args: argparse.Namespace) -> dict:
    return dict(panel_px=args.panel_px, views=tuple(args.views), max_points=args.max_points)


def scene_name(scene_dir: str | os.PathLike) -> str:
    return Path(os.path.abspath(scene_dir)).name


# ------------------------------------------------------------------------------------------ groupcontrast
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
    from .groupcontrast import (
        MAP_NAMES, analyze_scene, input_spec, load_groupcontrast, map_colors, map_panels,
    )
    from .ply import write_ply
    from .render import render_panels
    from .scene import load_scene_dir

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


# ------------------------------------------------------------------------------------------ scene
COLOR_BY = ("rgb", "segment", "instance", "superpoint")


def _scene_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--color-by", choices=COLOR_BY, default="rgb",
                        help="segment = semantic labels; superpoint is computed when the scene has none")
    add_render_arguments(parser)


@command("scene", "render a scene coloured by RGB, semantic labels, instances or superpoints", _scene_args)
def run_scene(args: argparse.Namespace) -> None:
    from .colors import label_colors, rgb_colors
    from .render import Panel, render_panels
    from .scene import load_scene_dir

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


# ------------------------------------------------------------------------------------------ entry point
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="visualize", description="Pictures of point clouds and models")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, cmd in COMMANDS.items():
        sub = subparsers.add_parser(name, help=cmd.help, description=cmd.help,
                                    formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        cmd.add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(COMMANDS[args.command].run(args) or 0)


from . import instances  # noqa: E402,F401  (registers the ``instances`` subcommand)
from . import boxes  # noqa: E402,F401  (registers the ``boxes`` subcommand)
