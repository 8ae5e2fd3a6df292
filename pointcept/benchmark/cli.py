"""``tools/benchmark_transfer.py``: which pretraining helps this task, and by how much, at equal budget.

For every method and seed: pretraining (none for ``none``) -> fine-tuning from its backbone -> whole-scene
test; then ``results.csv``, ``results.md``, ``bar_chart.png`` and ``learning_curves.png`` in ``--exp-root``.
Finished runs are skipped and unfinished ones resume, so the same command continues after an interruption.
``--report-only`` trains nothing: it writes the reports from the runs that finished and lists the others.
Every report also writes ``runs.json``; ``--merge-runs`` takes those of other reports (a grid split over
machines, or run folders that are gone): their runs count as finished and enter the tables (``merge.py``).

Budgets apply to every method and to both stages alike. ``--budget-epochs N`` sets each stage's
``epoch`` to N. ``--budget-minutes M`` stops each stage after M minutes of wall-clock training (the
``TimeBudget`` hook: the running round ends, its evaluation and checkpoint run, then the whole-scene
test), with the learning-rate schedule still defined over the configured (or ``--budget-epochs``) epochs,
so a run that hits the clock stops part-way along its schedule. Both may be given. What each stage used
(steps, minutes, whether the clock stopped it) is recorded in ``results.md``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from typing import Sequence

from .curves import run_curves
from .merge import merged_records
from .methods import DEFAULT_METHODS, METHODS, PROFILES, TASK_METRICS, TASK_VAL_TAG, TASKS, resolve_methods
from .plan import RunSpec, Settings, check_data_root, data_efficient_file, plan_runs, run_folder
from .plots import write_plots
from .report import run_commit, write_reports
from .runner import check_marker, expected_fingerprint, finished_record, note, run_one

#: what to do about a merged run made with other settings
MERGE_ADVICE = "Merge only the runs.json of reports made with this command's settings."

DEFAULT_DATA_ROOT = {"demo": "data/demo", "scannet-real-cpu": "../shared/data/scannet-real", "scannet": "data/scannet"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", default=None,
                        help="Pointcept-layout data root (default per profile: " +
                        ", ".join(f"{p}: {r}" for p, r in DEFAULT_DATA_ROOT.items()) + ")")
    parser.add_argument("--profile", choices=PROFILES, default="demo",
                        help="config table: demo rooms, the real ScanNet sample on a CPU, or full ScanNet")
    parser.add_argument("--task", choices=TASKS, default="semseg", help="downstream task")
    parser.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS), metavar="METHOD",
                        help=f"registered methods ({', '.join(METHODS)}) or paths of pretraining config files")
    parser.add_argument("--budget-epochs", type=int, default=None, metavar="N",
                        help="epochs of every pretraining and every fine-tuning (default: the configs' own)")
    parser.add_argument("--budget-minutes", type=float, default=None, metavar="M",
                        help="wall-clock minutes of every pretraining and every fine-tuning (TimeBudget hook)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2], help="seeds (default: 0 1 2)")
    parser.add_argument("--exp-root", default=None,
                        help="output folder (default: exp/benchmark/<profile>-<task>[-<data-efficient>])")
    parser.add_argument("--num-gpus", type=int, default=None,
                        help="processes per stage, DDP as tools/train.py (default: all CUDA devices, or 1 on CPU)")
    parser.add_argument("--data-efficient", default=None, metavar="SETTING",
                        help="fine-tune on a limited split: lr1|lr5|lr10|lr20 (scenes) or la20|la50|la100|la200 "
                             "(points per scene), from <data-root>/tasks (tools/make_data_efficient_splits.py)")
    parser.add_argument("--options", nargs="+", default=[], metavar="KEY=VALUE",
                        help="config overrides for both stages; prefix pretrain: or finetune: for one stage only")
    parser.add_argument("--report-only", action="store_true",
                        help="train nothing: write the reports from the finished runs of this command and list "
                             "the runs that have not finished")
    parser.add_argument("--merge-runs", nargs="+", default=[], metavar="RUNS_JSON",
                        help="runs.json files of other reports of this benchmark: their runs (checked against this "
                             "command's settings) count as finished and are reported; a run finished in --exp-root "
                             "takes precedence")
    return parser


def settings_from_args(args: argparse.Namespace, argv: Sequence[str]) -> Settings:
    """Validate everything that can be checked before hours of training: methods, configs, data, budget."""
    import torch

    if args.budget_epochs is not None and args.budget_epochs < 1:
        raise ValueError(f"--budget-epochs must be >= 1, got {args.budget_epochs}")
    if args.budget_minutes is not None and args.budget_minutes <= 0:
        raise ValueError(f"--budget-minutes must be > 0, got {args.budget_minutes}")
    if len(set(args.seeds)) != len(args.seeds):
        raise ValueError(f"--seeds has repeats: {args.seeds}")
    methods = resolve_methods(args.methods)
    data_root = args.data_root or DEFAULT_DATA_ROOT[args.profile]
    check_data_root(data_root)
    if args.data_efficient:
        data_efficient_file(data_root, args.data_efficient)
    num_gpus = args.num_gpus if args.num_gpus is not None else max(torch.cuda.device_count(), 1)
    if num_gpus < 1:
        raise ValueError(f"--num-gpus must be >= 1, got {num_gpus}")
    exp_root = args.exp_root or os.path.join(
        "exp", "benchmark", f"{args.profile}-{args.task}" + (f"-{args.data_efficient}" if args.data_efficient else ""))
    command = " ".join(shlex.quote(a) for a in ["python", "tools/benchmark_transfer.py", *argv])
    return Settings(data_root=data_root, profile=args.profile, task=args.task, methods=methods, seeds=list(args.seeds),
                    exp_root=exp_root, budget_epochs=args.budget_epochs, budget_minutes=args.budget_minutes,
                    num_gpus=num_gpus, data_efficient=args.data_efficient, options=list(args.options), command=command)


def report(settings: Settings, records: list[dict], planned: int, unfinished: Sequence[str] = ()) -> None:
    """Rewrite both result files and both pictures from the finished runs (after every run)."""
    if not records:
        return
    val_tag = TASK_VAL_TAG[settings.task]
    per_method: dict[str, list] = {m.name: [] for m in settings.methods}
    for record in records:
        if "curves" not in record:  # a merged run brings its own; a local one's are read from its events
            record["curves"] = run_curves(run_folder(settings.exp_root, record["method"], record["seed"]),
                                          record, val_tag)
        record.setdefault("commit", run_commit(settings.exp_root, record))
        per_method[record["method"]].append(record["curves"])
    out = write_reports(settings, records, planned, unfinished)
    labels = {m.name: m.label for m in settings.methods}
    main_metric = out["metrics"][0] if out["metrics"] else TASK_METRICS[settings.task][0]
    title = f"{settings.task} on {settings.profile}: {settings.budget_text()}"
    write_plots(settings.exp_root, out["summary"], main_metric, per_method, val_tag, labels, title)


def load_merged(settings: Settings, runs: Sequence[RunSpec], paths: Sequence[str]) -> dict[str, dict]:
    """``{run key: record}`` of the ``--merge-runs`` files, each checked like a finished run folder."""
    if not paths:
        return {}

    def check(record: dict, where: str, expected: dict) -> None:
        check_marker(record, where, expected, advice=MERGE_ADVICE)

    merged, notes = merged_records(paths, runs, lambda run: expected_fingerprint(run, settings), check)
    for line in notes:
        note(settings, line, warning=True)
    note(settings, f"merged {len(merged)} finished runs from {', '.join(paths)}")
    return merged


def finished_or_merged(run: RunSpec, settings: Settings, merged: dict[str, dict]) -> dict | None:
    """The record of ``run`` if it finished here or is merged (a run finished here takes precedence)."""
    record = finished_record(run, settings)
    if record is not None:
        if run.key in merged:
            note(settings, f"{run.key}: finished in {run.run_dir}; its record in {merged[run.key]['merged_from']} "
                           "is not used")
        return dict(record, skipped=True)
    return merged.get(run.key)


def report_finished(settings: Settings, runs: Sequence[RunSpec],
                    merged: dict[str, dict] | None = None) -> list[dict]:
    """``--report-only``: the reports of the finished runs; the unfinished ones are named, not started."""
    records, unfinished = [], []
    for run in runs:
        record = finished_or_merged(run, settings, merged or {})
        if record is None:
            unfinished.append(run.key)
        else:
            records.append(record)
    if not records:
        raise FileNotFoundError(f"--report-only: none of the {len(runs)} runs of this command has finished in "
                                f"{settings.exp_root} (no <method>/seed<k>/run.json) or is merged")
    report(settings, records, len(runs), unfinished)
    note(settings, f"report of {len(records)} finished runs of {len(runs)}"
                   + (f"; not finished: {', '.join(unfinished)}" if unfinished else "")
                   + f"; see {os.path.join(settings.exp_root, 'results.md')}")
    return records


def main(argv: Sequence[str] | None = None) -> list[dict]:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    settings = settings_from_args(args, argv)
    runs = plan_runs(settings)
    merged = load_merged(settings, runs, args.merge_runs)
    if args.report_only:
        return report_finished(settings, runs, merged)
    os.makedirs(settings.exp_root, exist_ok=True)
    note(settings, f"{len(runs)} runs ({len(settings.methods)} methods x {len(settings.seeds)} seeds), "
                f"{settings.budget_text()}; results in {settings.exp_root}; command: {settings.command}")
    start = time.time()
    records = []
    for i, run in enumerate(runs):
        note(settings, f"run {i + 1}/{len(runs)}: {run.key} ({run.run_dir})")
        record = finished_or_merged(run, settings, merged)
        if record is None:
            record = run_one(run, settings)
        else:
            note(settings, f"skip {run.key}: " + (f"merged from {record['merged_from']}" if record.get("merged_from")
                                                  else f"finished ({run.marker})"))
        records.append(record)
        report(settings, records, len(runs))
    done = sum(not r.get("skipped") for r in records)
    note(settings, f"{done} runs done, {len(records) - done} skipped as finished or merged, "
                f"{time.time() - start:.0f} s; see {os.path.join(settings.exp_root, 'results.md')}")
    return records


if __name__ == "__main__":
    main()
