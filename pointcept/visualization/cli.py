"""``tools/visualize.py``: the parser, built from the subcommands registered in :data:`VISUALIZERS`.

Subcommands register themselves (:func:`~pointcept.visualization.commands.command`) in their own modules:
``scene`` in :mod:`.scene`, ``groupcontrast`` in :mod:`.groupcontrast`, ``instances`` in :mod:`.instances`,
``boxes`` in :mod:`.boxes`. Importing :mod:`pointcept.visualization` (which importing this module does
first) imports all of them; a module of another package that registers one only has to be imported before
:func:`main` runs. This module imports only :mod:`.commands`, so no subcommand module imports it back.
"""

from __future__ import annotations

import argparse
from typing import Sequence

from .commands import (  # noqa: F401  (COMMANDS, command ... re-exported: the old import path)
    COMMANDS,
    VISUALIZERS,
    Command,
    add_render_arguments,
    command,
    render_options,
    scene_name,
)

__all__ = ["build_parser", "main", "COMMANDS", "VISUALIZERS", "Command", "command", "add_render_arguments",
           "render_options", "scene_name"]


def build_parser() -> argparse.ArgumentParser:
    """One subparser per registered subcommand, in registration order (read when called, not at import)."""
    parser = argparse.ArgumentParser(prog="visualize", description="Pictures of point clouds and models")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, cmd in VISUALIZERS.module_dict.items():
        sub = subparsers.add_parser(name, help=cmd.help, description=cmd.help,
                                    formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        cmd.add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: the command line) and run the chosen subcommand; returns its exit code."""
    args = build_parser().parse_args(argv)
    return int(VISUALIZERS.get(args.command).run(args) or 0)
