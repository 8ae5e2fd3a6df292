"""The registry of ``tools/visualize.py`` subcommands, and the options every subcommand shares.

Why a module of its own: each subcommand module (``scene``, ``groupcontrast``, ``instances``, ``boxes``, or
a user's) imports only this one and registers itself; :mod:`pointcept.visualization` imports the
subcommand modules, and :mod:`.cli` builds the parser from :data:`VISUALIZERS`. Nothing imports ``cli``
back, so there is no import circle. Adding a subcommand is one decorated function plus its arguments::

    from pointcept.visualization.commands import add_render_arguments, command

    def _my_args(parser): add_render_arguments(parser)

    @command("mine", "what it draws", _my_args)
    def run_mine(args) -> None: ...

in a module imported before the parser is built. Every subcommand prints the paths it wrote, one per line.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pointcept.utils.registry import Registry

__all__ = [
    "Command", "VISUALIZERS", "COMMANDS", "command", "add_render_arguments", "render_options", "scene_name",
]


#: a subcommand's body: ``run(args)`` returns its exit code (``None``: 0)
Runner = Callable[[argparse.Namespace], int | None]


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, the function adding its arguments, and the function running it."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Runner


#: subcommand name -> :class:`Command`, in registration order (the order ``--help`` lists them)
VISUALIZERS = Registry("visualizers")


def command(
    name: str, help: str, add_arguments: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Runner], Runner]:
    """Register ``run(args)`` as subcommand ``name`` of :data:`VISUALIZERS`; returns ``run`` unchanged.

    Why a decorator: a subcommand module registers itself when imported, so the parser needs no list of
    modules. A name registered twice is a programming error (``KeyError`` naming the first module).
    """

    def register(run: Runner) -> Runner:
        if name in VISUALIZERS:
            raise KeyError(f"visualize subcommand {name!r} is already registered "
                           f"(by {VISUALIZERS.get(name).run.__module__})")
        VISUALIZERS.register_module(name, Command(help, add_arguments, run))
        return run

    return register


class _CommandTable(Mapping):
    """A live read-only ``name -> Command`` view of a registry (``COMMANDS``, the old ``cli`` dict)."""

    def __init__(self, registry: Registry):
        self._registry = registry

    def __getitem__(self, name: str) -> Command:
        if name not in self._registry:
            raise KeyError(name)
        return self._registry.get(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._registry.module_dict)

    def __len__(self) -> int:
        return len(self._registry)


#: ``{name: Command}`` of every registered subcommand (read-only; register with :func:`command`)
COMMANDS: Mapping[str, Command] = _CommandTable(VISUALIZERS)


def add_render_arguments(parser: argparse.ArgumentParser) -> None:
    """``--scene``, ``--out`` and the picture options every subcommand shares."""
    parser.add_argument("--scene", required=True, help="scene folder of <key>.npy arrays (coord, color, ...)")
    parser.add_argument("--out", default="exp/visualize", help="output folder")
    parser.add_argument("--panel-px", type=int, default=500, help="pixels per panel side")
    parser.add_argument("--views", nargs="+", default=["top", "oblique"], choices=["top", "oblique"])
    parser.add_argument("--max-points", type=int, default=100_000,
                        help="points drawn per panel (evenly subsampled)")


def render_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of :func:`~pointcept.visualization.render.render_panels` that
    :func:`add_render_arguments` parsed."""
    return dict(panel_px=args.panel_px, views=tuple(args.views), max_points=args.max_points)


def scene_name(scene_dir: str | os.PathLike) -> str:
    """A scene folder's name (its last path component, also for ``.`` or a trailing slash)."""
    return Path(os.path.abspath(scene_dir)).name
