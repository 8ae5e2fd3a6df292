"""Write the built-in demo data set: ``python tools/make_demo_data.py --root data/demo``.

Procedural rooms (see ``pointcept/datasets/demo/``), so the README's pretrain -> fine-tune run needs no
download. Re-running keeps scenes that already exist (it resumes); ``--overwrite`` regenerates them.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.datasets.demo import write_demo_dataset  # noqa: E402
from pointcept.datasets.meta.demo import DEMO_CLASS_NAMES  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="data/demo", help="output folder (default: data/demo)")
    parser.add_argument("--num-train", type=int, default=24, help="training rooms (default: 24)")
    parser.add_argument("--num-val", type=int, default=6, help="validation rooms (default: 6)")
    parser.add_argument("--seed", type=int, default=0, help="data set seed (default: 0)")
    parser.add_argument("--overwrite", action="store_true", help="regenerate scenes that already exist")
    return parser.parse_args(argv)


def existing_scenes(root: str, split: str, count: int) -> set[str]:
    names = (f"room_{i:04d}" for i in range(count))
    return {name for name in names if os.path.isdir(os.path.join(root, split, name))}


def main(argv=None) -> None:
    args = parse_args(argv)
    splits = {"train": args.num_train, "val": args.num_val}
    before = {split: existing_scenes(args.root, split, n) for split, n in splits.items()}
    start = time.perf_counter()
    try:
        root = write_demo_dataset(
            args.root, args.num_train, args.num_val, seed=args.seed, overwrite=args.overwrite
        )
    except ValueError as error:
        sys.exit(f"make_demo_data: {error}")
    seconds = time.perf_counter() - start
    for split, count in splits.items():
        kept = 0 if args.overwrite else len(before[split])
        print(f"{root / split}: {count - kept} rooms written, {kept} already there")
    print(f"{root / 'meta.json'}: {len(DEMO_CLASS_NAMES)} classes {', '.join(DEMO_CLASS_NAMES)}")
    print(f"done in {seconds:.1f} s")


if __name__ == "__main__":
    main()
