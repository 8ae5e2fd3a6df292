"""Does segment grouping collapse without centering or without sharpening? (paper Sec. 3.2)

Runs the same short GroupContrast pretraining three times (default, ``centering=False``,
``sharpening=False``) and prints the collapse monitors the model logs every step: the mean normalised
entropy of the teacher assignment K (1 = uniform), the number of prototypes in use (distinct argmax over
the batch's segments) and the mean confidence (max of K). Collapse to one prototype shows as
prototypes_used -> 1 with confidence -> 1; collapse to a uniform assignment as entropy -> 1.

    OMP_NUM_THREADS=1 python tools/benchmarks/collapse_monitors.py --epochs 4 --out exp/collapse
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from pointcept.engines.cli import train_worker  # noqa: E402
from pointcept.engines.defaults import default_config_parser  # noqa: E402
from pointcept.utils.logger import remove_file_handlers  # noqa: E402

MONITORS = ("assign_entropy", "prototypes_used", "confidence", "group_loss", "contrast_loss")
VARIANTS = {"default": [], "no-centering": ["model.centering=False"], "no-sharpening": ["model.sharpening=False"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", default=os.path.join(ROOT, "configs/scannet/pretrain-groupcontrast-v1m1-3-real-cpu.py"))
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--window", type=int, default=10, help="steps averaged at the start and the end")
    parser.add_argument("--out", default="exp/collapse")
    parser.add_argument("--options", nargs="*", default=[])
    args = parser.parse_args()
    rows = []
    for name, options in VARIANTS.items():
        cfg = default_config_parser(args.config_file, [
            f"save_path={os.path.join(args.out, name)}", f"epoch={args.epochs}", f"eval_epoch={args.epochs}",
            f"batch_size={args.batch_size}", *options, *args.options,
        ])
        trainer = train_worker(cfg)
        remove_file_handlers()
        history = {m: trainer.storage.history(m) for m in MONITORS}
        steps = len(history["assign_entropy"])
        first = {m: statistics.mean(v[: args.window]) for m, v in history.items()}
        last = {m: statistics.mean(v[-args.window :]) for m, v in history.items()}
        rows.append((name, steps, first, last))
    n = trainer.cfg.model.num_prototypes
    print(f"\nCollapse monitors ({n} prototypes; mean of the first / last {args.window} steps)")
    print(f"{'variant':<15}{'steps':>6}  " + "  ".join(f"{m:>22}" for m in MONITORS))
    for name, steps, first, last in rows:
        cells = "  ".join(f"{first[m]:>10.3f} -> {last[m]:<9.3f}" for m in MONITORS)
        print(f"{name:<15}{steps:>6}  {cells}")


if __name__ == "__main__":
    main()
