"""``bar_chart.png`` (main metric, mean ± std per method) and ``learning_curves.png`` (per method, mean
over seeds with a ± std band): validation metric and train loss of fine-tuning, train loss of pretraining."""

from __future__ import annotations

import math
import os
from typing import Sequence

import numpy as np

from pointcept.utils.io import atomic_path

from .curves import Curve


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")


def bar_chart(path: str, summary: dict[str, dict[str, tuple]], metric: str, labels: dict[str, str], title: str) -> None:
    plt = _pyplot()
    methods = list(summary)
    means = [summary[m][metric][0] if metric in summary[m] else float("nan") for m in methods]
    stds = [summary[m][metric][1] if metric in summary[m] else float("nan") for m in methods]
    fig, ax = plt.subplots(figsize=(1.4 * max(len(methods), 2) + 1.5, 3.6))
    x = np.arange(len(methods))
    heights = [v if math.isfinite(v) else 0.0 for v in means]
    errors = [v if math.isfinite(v) else 0.0 for v in stds]
    bars = ax.bar(x, heights, yerr=errors, capsize=5, color=[f"C{i}" for i in range(len(methods))])
    for bar, mean, n in zip(bars, means, [summary[m][metric][2] if metric in summary[m] else 0 for m in methods]):
        text = f"{mean:.3f}" if math.isfinite(mean) else "n/a"
        ax.annotate(f"{text}\nn={n}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                    va="bottom", fontsize=8, xytext=(0, 3), textcoords="offset points")
    ax.set_xticks(x, [f"{m}\n{labels.get(m, m)}" for m in methods], fontsize=8)
    ax.set_ylabel(f"{metric} (mean ± std over seeds)")
    ax.set_title(title, fontsize=10)
    top = max([h + e for h, e in zip(heights, errors)] + [1e-6])
    ax.set_ylim(0, top * 1.25)
    _save(fig, path)
    plt.close(fig)


def mean_curve(curves: Sequence[Curve]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and std over seeds on the epochs every seed reached (runs cut by a time budget are shorter)."""
    common = sorted(set.intersection(*(set(c[0]) for c in curves))) if curves else []
    if not common:  # budget-stopped runs can end at different epochs: fall back to the union, per-point n
        common = sorted(set().union(*(set(c[0]) for c in curves)))
    values = [[dict(zip(*c)).get(x, np.nan) for c in curves] for x in common]
    arr = np.asarray(values, dtype=float).reshape(len(common), len(curves))
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(arr, axis=1) if arr.size else np.zeros(0)
        std = np.nanstd(arr, axis=1, ddof=1) if arr.shape[1] > 1 else np.zeros(len(common))
    return np.asarray(common, dtype=float), mean, np.nan_to_num(std)


def learning_curves(path: str, per_method: dict[str, list[dict[str, dict[str, Curve]]]], val_tag: str,
                    labels: dict[str, str], title: str) -> None:
    """``per_method[m]`` is a list (one per seed) of :func:`curves.run_curves` results."""
    plt = _pyplot()
    panels = [("finetune", val_tag, f"fine-tuning: {val_tag}"), ("finetune", "train/loss", "fine-tuning: train loss"),
              ("pretrain", "train/loss", "pretraining: train loss")]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.0 * len(panels), 3.8))
    for ax, (stage, tag, name) in zip(axes, panels):
        drawn = False
        for i, (method, runs) in enumerate(per_method.items()):
            curves = [r[stage][tag] for r in runs if tag in r.get(stage, {})]
            if not curves:
                continue
            x, mean, std = mean_curve(curves)
            ax.plot(x, mean, marker="o", markersize=3, color=f"C{i}", label=f"{method} ({labels.get(method, method)}), n={len(curves)}")
            ax.fill_between(x, mean - std, mean + std, color=f"C{i}", alpha=0.2)
            drawn = True
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("epoch")
        if drawn:
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    fig.suptitle(title, fontsize=11)
    _save(fig, path)
    plt.close(fig)


def write_plots(exp_root: str, summary: dict, metric: str, per_method: dict, val_tag: str,
                labels: dict[str, str], title: str) -> list[str]:
    bar = os.path.join(exp_root, "bar_chart.png")
    curves = os.path.join(exp_root, "learning_curves.png")
    bar_chart(bar, summary, metric, labels, title)
    learning_curves(curves, per_method, val_tag, labels, title)
    return [bar, curves]
