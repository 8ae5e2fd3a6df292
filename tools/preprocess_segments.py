"""Add graph-cut geometry segments to a Pointcept data root: ``python tools/preprocess_segments.py ROOT``.

Every ``ROOT/<split>/<scene>/coord.npy`` gets ``<name>.npy`` (int32 segment id per point, default name
``superpoint``) and ``normal.npy`` when missing. Resumable (existing outputs are skipped unless
``--overwrite``); a failing scene is reported in the final summary and never stops the others; the exit
status is 1 when any scene failed. Logic: ``pointcept/datasets/preprocessing/add_segments.py``.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.datasets.preprocessing.add_segments import (  # noqa: E402
    add_graph_cut_arguments, add_segments, graph_cut_params,
)
from pointcept.datasets.preprocessing.runner import add_runner_arguments  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="data root holding <split>/<scene>/coord.npy")
    parser.add_argument("--name", default="superpoint", help="output file stem (default: superpoint)")
    parser.add_argument("--splits", nargs="*", default=None, help="only these split folders (default: all)")
    parser.add_argument("--no-save-normals", action="store_true", help="do not write missing normal.npy")
    add_runner_arguments(parser)
    add_graph_cut_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    params = graph_cut_params(args, name=args.name, overwrite=args.overwrite,
                              save_normals=not args.no_save_normals)
    summary = add_segments(
        args.root, params, workers=args.workers, splits=args.splits, progress=not args.quiet
    )
    print(summary.text())
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main())
