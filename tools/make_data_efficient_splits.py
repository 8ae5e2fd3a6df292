"""Data-efficient benchmark splits (Table 3): ``python tools/make_data_efficient_splits.py DATA_ROOT``.

Writes ``lr{1,5,10,20}.txt`` (limited reconstruction: that percentage of the training scenes) and
``la{20,50,100,200}.npz`` (limited annotation: the indices of that many labelled points per training scene)
plus ``info.json`` to ``DATA_ROOT/tasks`` (or ``--out``). The same seed always gives the same files; the
splits are nested. Use them with ``lr_file=`` / ``la_file=`` of the dataset (configs
``configs/scannet/semseg-spunet-v1m1-2-efficient-*.py``). Logic:
``pointcept/datasets/preprocessing/data_efficient.py``.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.datasets.preprocessing.data_efficient import (  # noqa: E402
    LA_POINTS, LR_PERCENTS, make_splits_for_root,
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_root", help="Pointcept-layout data root (scenes in DATA_ROOT/<split>/)")
    parser.add_argument("--out", default=None, help="output folder (default: DATA_ROOT/tasks)")
    parser.add_argument("--split", default="train", help="split folder to draw from (default: train)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--lr", type=float, nargs="*", default=list(LR_PERCENTS),
                        help="percentages of scenes (default: 1 5 10 20; none: no LR files)")
    parser.add_argument("--la", type=int, nargs="*", default=list(LA_POINTS),
                        help="labelled points per scene (default: 20 50 100 200; none: no LA files)")
    parser.add_argument("--segment-file", default="segment20", help="label file stem (default: segment20)")
    parser.add_argument("--any-point", action="store_true",
                        help="draw LA points among all points, not only labelled ones")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    written = make_splits_for_root(
        args.data_root, args.out, args.split, args.seed, args.lr, args.la, args.segment_file,
        labelled_only=not args.any_point, progress=not args.quiet,
    )
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
