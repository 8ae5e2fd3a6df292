"""Raw ScanNet v2 scans -> Pointcept layout: ``python tools/preprocess_scannet.py RAW_ROOT OUT_ROOT``.

RAW_ROOT holds ``scans/`` (and/or ``scans_test/``) and, unless ``--labels-tsv`` is given,
``scannetv2-labels.combined.tsv``. Writes ``OUT_ROOT/{train,val,test}/<scan>/`` with coord, color, normal,
superpoint_official and (labelled scans) segment20, segment200, instance. Resumable (finished scans are
skipped unless ``--overwrite``); a failing scan is reported in the final summary and never stops the
others; exit status 1 when any failed. Logic: ``pointcept/datasets/preprocessing/scannet.py``.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.datasets.preprocessing.runner import add_runner_arguments  # noqa: E402
from pointcept.datasets.preprocessing.scannet import SPLITS_DIR, preprocess_scannet  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_root", help="folder with scans/ and/or scans_test/")
    parser.add_argument("out_root", help="output data root (train/ val/ test/ are made inside)")
    parser.add_argument("--labels-tsv", default=None,
                        help="label table (default: RAW_ROOT/scannetv2-labels.combined.tsv)")
    parser.add_argument("--align", action="store_true",
                        help="apply the axisAlignment matrix of <scan>.txt to coord and normal")
    parser.add_argument("--scenes", nargs="*", default=None, help="only these scan ids")
    parser.add_argument("--split-lists", default=str(SPLITS_DIR),
                        help="folder with scannetv2_{train,val,test}.txt (default: the official lists)")
    parser.add_argument("--unlisted-split", default=None,
                        help="split folder for labelled scans in no list (default: such scans fail)")
    add_runner_arguments(parser, "scans")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    summary = preprocess_scannet(
        args.raw_root, args.out_root, workers=args.workers, labels_tsv=args.labels_tsv, align=args.align,
        overwrite=args.overwrite, split_lists=args.split_lists, unlisted_split=args.unlisted_split,
        scenes=args.scenes, progress=not args.quiet,
    )
    for scene, detail in sorted(summary.details.items()):
        print(f"  {scene}: {detail}")
    print(summary.text())
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main())
