"""S3DIS rooms -> Pointcept layout: ``python tools/preprocess_s3dis.py RAW_ROOT OUT_ROOT``.

RAW_ROOT is ``Stanford3dDataset_v1.2`` (``Area_N/<room>/Annotations/*.txt``). Writes
``OUT_ROOT/Area_N/<room>/`` with coord, color, normal (estimated), segment (13 classes), instance and
superpoint (point-cloud graph cut; tune it with the graph-cut options). Unreadable annotation lines are
skipped with a warning naming file and line. Resumable (finished rooms are skipped unless
``--overwrite``); a failing room is reported in the final summary and never stops the others; exit status
1 when any failed. Logic: ``pointcept/datasets/preprocessing/s3dis.py``.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.datasets.preprocessing.add_segments import add_graph_cut_arguments, graph_cut_params  # noqa: E402
from pointcept.datasets.preprocessing.runner import add_runner_arguments  # noqa: E402
from pointcept.datasets.preprocessing.s3dis import preprocess_s3dis  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_root", help="Stanford3dDataset_v1.2 folder holding Area_1 ... Area_6")
    parser.add_argument("out_root", help="output data root (Area_N/<room>/ are made inside)")
    parser.add_argument("--areas", nargs="*", default=None, help="only these areas, e.g. Area_5")
    add_runner_arguments(parser, "rooms")
    add_graph_cut_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    summary = preprocess_s3dis(
        args.raw_root, args.out_root, workers=args.workers, areas=args.areas, overwrite=args.overwrite,
        segments=graph_cut_params(args), progress=not args.quiet,
    )
    for room, detail in sorted(summary.details.items()):
        print(f"  {room}: {detail}")
    print(summary.text())
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main())
