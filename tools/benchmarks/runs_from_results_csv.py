"""A ``runs.json`` for a transfer-benchmark report written before reports wrote one (``results.csv`` only).

``tools/benchmark_transfer.py --merge-runs`` finishes a grid from the ``runs.json`` of other reports. A
report made before that file existed has only ``results.csv`` (the metrics of each method x seed); when its
run folders are gone, this rebuilds the records from it, so the grid need not be trained again:

    python tools/benchmarks/runs_from_results_csv.py --results-csv docs/.../results.csv --commit 17314f5034ac \\
        --out docs/.../runs-17314f5.json -- <the benchmark command's arguments>

What the csv cannot tell is filled in from the benchmark arguments after ``--``: each record's fingerprint
(config hashes included) is what this command expects, so the merge check passes by construction. Use it
only for a report whose runs *were* checked against these settings (the same command's ``--report-only``
reported them); every record says that it was rebuilt, from which file, and the report that merges it names
the file. Per-run stage usage and learning curves are not in a csv: those records have none.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from pointcept.benchmark.cli import build_parser, settings_from_args  # noqa: E402
from pointcept.benchmark.merge import runs_document  # noqa: E402
from pointcept.benchmark.plan import plan_runs  # noqa: E402
from pointcept.benchmark.runner import expected_fingerprint  # noqa: E402
from pointcept.utils.io import atomic_write_text  # noqa: E402


def read_run_metrics(path: str) -> dict[tuple[str, int], dict[str, float]]:
    """``{(method, seed): {metric: value}}`` of the ``run`` rows of a benchmark ``results.csv``."""
    out: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"kind", "method", "seed", "metric", "value"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: not a benchmark results.csv (no column {', '.join(sorted(missing))})")
        for line, row in enumerate(reader, start=2):
            if row["kind"] != "run" or row["value"] == "":
                continue
            try:
                out[(row["method"], int(row["seed"]))][row["metric"]] = float(row["value"])
            except ValueError as error:
                raise ValueError(f"{path}, line {line}: seed {row['seed']!r} / value {row['value']!r}: {error}")
    if not out:
        raise ValueError(f"{path}: no run rows")
    return dict(out)


def rebuild_records(results_csv: str, benchmark_argv: list[str], commit: str, device: str) -> list[dict]:
    """The records of the csv's runs that the benchmark command plans, in the command's order."""
    settings = settings_from_args(build_parser().parse_args(benchmark_argv), benchmark_argv)
    metrics = read_run_metrics(results_csv)
    planned = {(run.method.name, run.seed): run for run in plan_runs(settings)}
    unknown = sorted(set(metrics) - set(planned))
    if unknown:
        raise ValueError(f"{results_csv}: runs the benchmark command does not plan: "
                         + ", ".join(f"{m} seed {s}" for m, s in unknown))
    source = (f"rebuilt by tools/benchmarks/runs_from_results_csv.py from {results_csv}: metrics from the csv, "
              "fingerprint from the benchmark command (not re-checked)")
    records = []
    for key, run in planned.items():
        if key not in metrics:
            continue
        records.append({
            "method": run.method.name, "label": run.method.label, "seed": run.seed, "metrics": metrics[key],
            "fingerprint": expected_fingerprint(run, settings), "finetune_config": run.finetune_config,
            "pretrain_config": run.pretrain_config, "finetune": None, "pretrain": None, "commit": commit,
            "device": device, "curves": {}, "rebuilt": source,
        })
    return records


def main(argv: list[str] | None = None) -> str:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        raise SystemExit("usage: runs_from_results_csv.py --results-csv CSV --commit SHA --out JSON "
                         "[--device TEXT] -- <benchmark arguments>")
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results-csv", required=True)
    parser.add_argument("--commit", required=True, help="the commit the runs were made at")
    parser.add_argument("--device", default="", help="the device the runs were made on, as its results.md says")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv[:split])
    records = rebuild_records(args.results_csv, argv[split + 1:], args.commit, args.device)
    command = shlex.join(["python", "tools/benchmark_transfer.py", *argv[split + 1:]])
    atomic_write_text(args.out, json.dumps(runs_document(command, records), indent=1) + "\n")
    print(f"{len(records)} runs -> {args.out}")
    return args.out


if __name__ == "__main__":
    main()
