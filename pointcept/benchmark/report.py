"""Aggregation over seeds and the ``results.csv`` / ``results.md`` files of a benchmark.

Standard deviations are the sample standard deviation over seeds (ddof = 1), the usual error of a
"mean ± std over N seeds" table; with one seed there is no spread to report and the std is left empty.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
from collections import defaultdict
from typing import Any, Iterable, Sequence

from pointcept.utils.io import atomic_write_text

from .merge import runs_document
from .methods import ROOT, TASK_METRICS
from .plan import Settings, run_folder
from .runner import write_json


def mean_std(values: Iterable[float]) -> tuple[float, float, int]:
    """``(mean, sample std, n)`` of the finite values; NaN mean for none, NaN std for fewer than two."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    n = len(finite)
    if n == 0:
        return float("nan"), float("nan"), 0
    mean = sum(finite) / n
    if n < 2:
        return mean, float("nan"), n
    var = sum((v - mean) ** 2 for v in finite) / (n - 1)
    return mean, math.sqrt(var), n


def format_mean_std(mean: float, std: float, n: int, digits: int = 4) -> str:
    if n == 0 or not math.isfinite(mean):
        return "n/a"
    if not math.isfinite(std):
        return f"{mean:.{digits}f} (n={n})"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def metric_names(task: str, records: Sequence[dict]) -> list[str]:
    """The task's reported metrics first (main metric first), then any other scalar the tester returned."""
    names = [m for m in TASK_METRICS.get(task, ()) if any(m in r["metrics"] for r in records)]
    for record in records:
        names += [k for k in record["metrics"] if k not in names]
    return names


def summarize(records: Sequence[dict], methods: Sequence[str], metrics: Sequence[str]) -> dict[str, dict[str, tuple]]:
    """``{method: {metric: (mean, std, n)}}`` over the seeds of each method, in the methods' order."""
    by_method: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        by_method[record["method"]].append(record)
    return {m: {k: mean_std(r["metrics"].get(k, float("nan")) for r in by_method.get(m, [])) for k in metrics}
            for m in methods}


def budget_used(records: Sequence[dict], method: str, stage: str, config_key: str) -> str:
    """Mean steps, minutes and budget stops of one stage of ``method``'s runs (what equal budget meant).

    A merged run whose report did not record its stage's usage is not averaged in; the text then says over
    how many of the method's runs with that stage the mean is (``config_key`` names the stage's config in a
    record: ``none`` has no pretraining, so nothing to report for it).
    """
    own = [r for r in records if r["method"] == method and r.get(config_key)]
    used = [r[stage]["time_budget"] for r in own if r.get(stage) and r[stage].get("time_budget")]
    if not used:
        return "— (not recorded)" if own else "—"
    steps, _, _ = mean_std(u.get("steps", float("nan")) for u in used)
    minutes, _, _ = mean_std(u.get("elapsed_seconds", float("nan")) / 60.0 for u in used)
    stops = sum(bool(u.get("stopped_by_budget")) for u in used)
    text = f"{steps:.0f} steps, {minutes:.1f} min"
    text += f", budget stop {stops}/{len(used)}" if stops else ""
    return text + (f" (over the {len(used)} of {len(own)} runs that recorded it)" if len(used) < len(own) else "")


def git_commit() -> str:
    """``git rev-parse HEAD`` of the repository (``+dirty`` with uncommitted changes), or ``unknown``."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10)
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def results_csv(records: Sequence[dict], summary: dict, metrics: Sequence[str]) -> str:
    """One ``run`` row per method x seed x metric, then one ``summary`` row per method x metric."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "method", "seed", "metric", "value", "mean", "std", "n"])
    for record in sorted(records, key=lambda r: (list(summary).index(r["method"]) if r["method"] in summary else 99,
                                                 r["seed"])):
        for metric in metrics:
            value = record["metrics"].get(metric)
            writer.writerow(["run", record["method"], record["seed"], metric, "" if value is None else repr(value),
                             "", "", ""])
    for method, per_metric in summary.items():
        for metric in metrics:
            mean, std, n = per_metric[metric]
            writer.writerow(["summary", method, "", metric, "", _num(mean), _num(std), n])
    return buffer.getvalue()


def _num(value: float) -> str:
    return repr(value) if math.isfinite(value) else ""


def run_commit(exp_root: str, record: dict) -> str:
    """The commit a run was made at: its own ``commit`` (a merged run), else its fine-tuning's ``git.json``."""
    if record.get("commit"):
        return str(record["commit"])
    path = os.path.join(run_folder(exp_root, record["method"], record["seed"]), "finetune", "code", "git.json")
    try:
        with open(path) as handle:
            info = json.load(handle)
    except (OSError, ValueError):
        return ""
    return str(info.get("commit", ""))[:12] + ("+dirty" if info.get("dirty") else "")


def run_commits(exp_root: str, records: Sequence[dict]) -> list[str]:
    """The commits the runs were made at (:func:`run_commit`), each once, in order."""
    commits = []
    for record in records:
        commit = run_commit(exp_root, record)
        if commit and commit not in commits:
            commits.append(commit)
    return commits


def merged_sources(records: Sequence[dict]) -> dict[str, list[str]]:
    """``{runs.json path: [run keys]}`` of the records merged from other reports (``--merge-runs``)."""
    sources: dict[str, list[str]] = defaultdict(list)
    for record in records:
        if record.get("merged_from"):
            sources[record["merged_from"]].append(f"{record['method']} seed {record['seed']}")
    return dict(sources)


def results_markdown(settings: Settings, records: Sequence[dict], summary: dict, metrics: Sequence[str],
                     hashes: dict[str, dict[str, str]], devices: Sequence[str], planned: int,
                     unfinished: Sequence[str] = ()) -> str:
    """The human-readable report: table, budget, commit, config hashes, command and device."""
    labels = {m.name: m.label for m in settings.methods}
    lines = [f"# Transfer benchmark: {settings.task} on {settings.profile}", ""]
    lines.append(f"Whole-scene test metrics, mean ± std over seeds {', '.join(map(str, settings.seeds))} "
                 f"({len(records)} of {planned} runs finished). Main metric: **{metrics[0] if metrics else '-'}**.")
    merged = merged_sources(records)
    if merged:
        count = sum(len(keys) for keys in merged.values())
        lines += ["", f"{count} of these runs were made elsewhere and merged from their reports' runs.json "
                      "(`--merge-runs`, checked against this command's settings and config hashes): "
                  + "; ".join(f"{', '.join(keys)} from `{path}`" for path, keys in merged.items()) + "."]
        rebuilt = sorted({r["merged_from"] for r in records if r.get("merged_from") and r.get("rebuilt")})
        if rebuilt:
            lines += ["", "Rebuilt from an older report's results.csv (metrics only; their settings were checked "
                          "by that report, not re-checked here): " + ", ".join(f"`{p}`" for p in rebuilt) + "."]
    if unfinished:
        lines += ["", f"Not finished, so not in the table: {', '.join(unfinished)}."]
    lines.append("")
    header = ["method", "n"] + list(metrics)
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] * 2 + ["---:"] * len(metrics)) + "|")
    for method, per_metric in summary.items():
        n = max((v[2] for v in per_metric.values()), default=0)
        cells = [f"{method} ({labels.get(method, method)})", str(n)]
        cells += [format_mean_std(*per_metric[m]) for m in metrics]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Budget", "", f"Budget: {settings.budget_text()}.", ""]
    lines.append("| method | pretraining used (mean over seeds) | fine-tuning used (mean over seeds) |")
    lines.append("|---|---|---|")
    for method in summary:
        lines.append(f"| {method} | {budget_used(records, method, 'pretrain', 'pretrain_config')} | "
                     f"{budget_used(records, method, 'finetune', 'finetune_config')} |")
    lines += ["", "## Provenance", ""]
    lines.append(f"- command: `{settings.command}`")
    commits = run_commits(settings.exp_root, records)
    lines.append(f"- git commit: `{git_commit()}` (this report)"
                 + ("; runs made at " + ", ".join(f"`{c}`" for c in commits) if commits else ""))
    lines.append(f"- data root: `{os.path.abspath(settings.data_root)}`"
                 + (f", data-efficient setting `{settings.data_efficient}`" if settings.data_efficient else ""))
    lines.append(f"- device: {'; '.join(sorted(set(devices))) or 'n/a'}")
    if settings.options:
        lines.append(f"- overrides: `{' '.join(settings.options)}`")
    lines += ["", "| method | pretraining config | hash | fine-tuning config | hash | backbone prefix |",
              "|---|---|---|---|---|---|"]
    for method, info in hashes.items():
        lines.append(f"| {method} | {_rel(info.get('pretrain_config'))} | `{info.get('pretrain_hash') or '—'}` | "
                     f"{_rel(info.get('finetune_config'))} | `{info.get('finetune_hash') or '—'}` | "
                     f"{info.get('prefix') or '—'} |")
    lines += ["", "Hashes: sha256 (12 hex) of the resolved config without save_path, seed, weight and resume.", ""]
    return "\n".join(lines)


def _rel(path: str | None) -> str:
    if not path:
        return "—"
    rel = os.path.relpath(path, ROOT)
    return f"`{rel if not rel.startswith('..') else path}`"


def write_reports(settings: Settings, records: Sequence[dict], planned: int,
                  unfinished: Sequence[str] = ()) -> dict[str, Any]:
    """Write ``results.csv``, ``results.md`` and ``runs.json`` atomically; returns the summary for the plots.

    Each record should already carry ``commit`` and ``curves`` (``cli.report`` adds them), so that
    ``runs.json`` stands alone when the run folders are gone.
    """
    methods = [m.name for m in settings.methods]
    metrics = metric_names(settings.task, records)
    summary = summarize(records, methods, metrics)
    hashes: dict[str, dict[str, str]] = {}
    for record in records:  # per field, the first run that has it (a rebuilt merged run lacks the prefix)
        info = hashes.setdefault(record["method"], {})
        for key, value in (
                ("pretrain_config", record.get("pretrain_config")), ("finetune_config", record.get("finetune_config")),
                ("pretrain_hash", record["fingerprint"].get("pretrain_hash")),
                ("finetune_hash", record["fingerprint"].get("finetune_hash")),
                ("prefix", f"`{record['backbone_mapping']['prefix']}`" if record.get("backbone_mapping") else None)):
            if info.get(key) is None:
                info[key] = value
    hashes = {m: hashes[m] for m in methods if m in hashes}
    devices = [r.get("device", "") for r in records]
    atomic_write_text(os.path.join(settings.exp_root, "results.csv"), results_csv(records, summary, metrics))
    write_json(os.path.join(settings.exp_root, "runs.json"), runs_document(settings.command, records))
    atomic_write_text(os.path.join(settings.exp_root, "results.md"),
                      results_markdown(settings, records, summary, metrics, hashes, devices, planned,
                                       unfinished))
    return {"summary": summary, "metrics": metrics}
