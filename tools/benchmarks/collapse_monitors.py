"""Does segment grouping collapse without centering or without sharpening? (paper Sec. 3.2)

Runs the same GroupContrast pretraining once per variant (default, ``centering=False``,
``sharpening=False``, both off) and prints, per epoch (a pass over the data set), the mean of the collapse
monitors the model logs every step: the mean normalised entropy of the teacher assignment K (1 = uniform),
the number of prototypes in use (distinct argmax over the batch's segments) and the mean confidence (max of
K). Collapse to one prototype shows as prototypes_used -> 1 with confidence -> 1; collapse to a uniform
assignment as entropy -> 1; grouping that forms as falling entropy with most prototypes in use.

    OMP_NUM_THREADS=1 python tools/benchmarks/collapse_monitors.py --epochs 20 --out exp/collapse
    # one variant per process, then the table of all of them from their logs:
    python tools/benchmarks/collapse_monitors.py --variants no-centering --epochs 20 --out exp/collapse
    python tools/benchmarks/collapse_monitors.py --report --out exp/collapse --csv exp/collapse/monitors.csv
    # variants whose run folders are gone, from an earlier report's CSV (a run under --out wins):
    python tools/benchmarks/collapse_monitors.py --report --out exp/collapse --merge-csv old/monitors.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

MONITORS = ("assign_entropy", "prototypes_used", "confidence", "group_loss", "contrast_loss")
VARIANTS = {
    "default": [],
    "no-centering": ["model.centering=False"],
    "no-sharpening": ["model.sharpening=False"],
    "neither": ["model.centering=False", "model.sharpening=False"],
}
HISTORY_FILE = "monitors.json"


def per_epoch(values: list[float], epochs: int) -> list[float]:
    """Means of ``values`` over ``epochs`` equal consecutive spans (the steps of each pass over the data)."""
    if not values:
        return []
    bounds = [round(i * len(values) / epochs) for i in range(epochs + 1)]
    return [statistics.mean(values[a:b]) for a, b in zip(bounds, bounds[1:]) if b > a]


def epochs_from_events(run_dir: str) -> tuple[list[int], dict[str, list[float]]]:
    """Per-epoch means of the monitors from the tensorboard events in ``run_dir``, for a variant that stopped
    before it wrote ``monitors.json``.

    The trainer writes ``train/<monitor>`` after every round as the mean over that round's steps; a round is
    one pass here because :func:`run_variant` sets ``eval_epoch = epoch``. Only completed passes are there.
    """
    from pointcept.benchmark.curves import read_scalars

    scalars = read_scalars(run_dir, tuple(f"train/{m}" for m in MONITORS))
    epochs = sorted(set.intersection(*(set(scalars[f"train/{m}"]) for m in MONITORS)))
    return epochs, {m: [scalars[f"train/{m}"][e] for e in epochs] for m in MONITORS}


def rows_from_csv(path: str) -> dict[str, list[dict]]:
    """Per-variant rows of an earlier report's CSV, for variants whose run folders did not survive."""
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("variant", "epoch", *MONITORS) if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{path}: not a collapse-monitor CSV, it has no column(s) {', '.join(missing)}")
        by_variant: dict[str, list[dict]] = {}
        for line, row in enumerate(reader, start=2):
            if row["variant"] not in VARIANTS:
                raise SystemExit(f"{path} line {line}: unknown variant {row['variant']!r}, "
                                 f"expected one of {', '.join(VARIANTS)}")
            try:
                parsed = {"variant": row["variant"], "epoch": int(row["epoch"]),
                          **{m: float(row[m]) for m in MONITORS}}
            except (TypeError, ValueError) as error:
                raise SystemExit(f"{path} line {line}: {error}") from None
            by_variant.setdefault(row["variant"], []).append(parsed)
    return by_variant


def run_variant(name: str, args: argparse.Namespace) -> None:
    from pointcept.engines.cli import train_worker
    from pointcept.engines.defaults import default_config_parser
    from pointcept.utils.logger import remove_file_handlers

    save_path = os.path.join(args.out, name)
    cfg = default_config_parser(args.config_file, [
        f"save_path={save_path}", f"epoch={args.epochs}", f"eval_epoch={args.epochs}",
        *([f"batch_size={args.batch_size}"] if args.batch_size else []), *VARIANTS[name], *args.options,
    ])
    trainer = train_worker(cfg)
    remove_file_handlers()
    record = {"variant": name, "epochs": args.epochs, "num_prototypes": int(cfg.model.num_prototypes),
              "config": os.path.relpath(args.config_file, ROOT), "options": VARIANTS[name] + list(args.options),
              "history": {m: trainer.storage.history(m) for m in MONITORS}}
    with open(os.path.join(save_path, HISTORY_FILE), "w") as handle:
        json.dump(record, handle)


def variant_table(name: str, out: str, merged: dict[str, list[dict]],
                  merge_csv: str | None) -> tuple[list[int], dict[str, list[float]], str] | None:
    """``(epochs, per-epoch means, title)`` of one variant, or None: its finished run under ``out``, else its
    stopped run's completed passes, else its rows in the merged CSV."""
    run_dir = os.path.join(out, name)
    path = os.path.join(run_dir, HISTORY_FILE)
    if os.path.isfile(path):
        with open(path) as handle:
            record = json.load(handle)
        means = {m: per_epoch(v, record["epochs"]) for m, v in record["history"].items()}
        title = (f"{record['num_prototypes']} prototypes, {len(record['history']['assign_entropy'])} steps, "
                 f"{record['config']} {' '.join(record['options'])}; per-epoch means")
        return list(range(1, len(means["assign_entropy"]) + 1)), means, title
    epochs, means = epochs_from_events(run_dir) if os.path.isdir(run_dir) else ([], {})
    if epochs:
        return epochs, means, (f"UNFINISHED run, stopped after epoch {epochs[-1]}: per-epoch means from the "
                               f"tensorboard events in {run_dir}, {' '.join(VARIANTS[name])}")
    if name in merged:
        means = {m: [r[m] for r in merged[name]] for m in MONITORS}
        title = "; ".join(filter(None, [f"merged from {merge_csv}, an earlier report", " ".join(VARIANTS[name]),
                                         "per-epoch means"]))
        return [r["epoch"] for r in merged[name]], means, title
    return None


def report(out: str, csv_path: str | None, merge_csv: str | None = None) -> None:
    """Print (and optionally write as CSV) the per-epoch table of every variant found under ``out``; a variant
    with no run there is taken from ``merge_csv`` (an earlier report's CSV) when given."""
    rows = []
    merged = rows_from_csv(merge_csv) if merge_csv else {}
    for name in VARIANTS:
        table = variant_table(name, out, merged, merge_csv)
        if table is None:
            continue
        epochs, means, title = table
        for i, epoch in enumerate(epochs):
            rows.append({"variant": name, "epoch": epoch, **{m: means[m][i] for m in MONITORS}})
        print(f"\n{name} ({title})")
        print(f"{'epoch':>6}" + "".join(f"{m:>17}" for m in MONITORS))
        for row in (r for r in rows if r["variant"] == name):
            print(f"{row['epoch']:>6}" + "".join(f"{row[m]:>17.3f}" for m in MONITORS))
    if not rows:
        raise SystemExit(f"no {HISTORY_FILE} under {out}: run the variants first")
    if csv_path:
        from pointcept.utils.atomic import atomic_path

        # never a half-written table, and --merge-csv may name this same file (it was read above)
        with atomic_path(csv_path) as partial, open(partial, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["variant", "epoch", *MONITORS])
            writer.writeheader()
            writer.writerows(rows)
        print(f"\nwrote {csv_path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", default=os.path.join(ROOT, "configs/scannet/pretrain-groupcontrast-v1m1-3-real-cpu.py"))
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--epochs", type=int, default=4, help="passes over the data set per variant")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the config's")
    parser.add_argument("--out", default="exp/collapse")
    parser.add_argument("--options", nargs="*", default=[], help="extra config overrides for every variant")
    parser.add_argument("--report", action="store_true", help="only print the table of finished variants")
    parser.add_argument("--csv", default=None, help="also write the per-epoch table as CSV")
    parser.add_argument("--merge-csv", default=None,
                        help="an earlier report's CSV: its variants that have no run under --out join the table")
    args = parser.parse_args()
    if not args.report:
        for name in args.variants:
            run_variant(name, args)
    report(args.out, args.csv, args.merge_csv)


if __name__ == "__main__":
    main()
