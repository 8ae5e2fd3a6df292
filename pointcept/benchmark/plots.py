"""``bar_chart.png`` (main metric, mean ± std per method) and ``learning_curves.png`` (per method, mean
over seeds with a ± std band): validation metric and train loss of fine-tuning on shared axes, and the
pretraining loss in one panel per method (the objectives differ, so their scales do not compare)."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Sequence

import numpy as np

from pointcept.utils.io import atomic_path

from .curves import Curve

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: pretraining-loss panels per row of ``learning_curves.png`` (more methods wrap onto further rows)
PRETRAIN_PANELS_PER_ROW = 4


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
    counts = [summary[m][metric][2] if metric in summary[m] else 0 for m in methods]
    for bar, mean, error, n in zip(bars, means, errors, counts):
        text = f"{mean:.3f}" if math.isfinite(mean) else "n/a"
        # above the error bar's cap, so the bar and the label never overlap
        ax.annotate(f"{text}\nn={n}", (bar.get_x() + bar.get_width() / 2, bar.get_height() + error), ha="center",
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


def _draw_method(ax, curves: Sequence[Curve], color: str, label: str) -> None:
    x, mean, std = mean_curve(curves)
    ax.plot(x, mean, marker="o", markersize=3, color=color, label=label)
    ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2)


def _finish_axis(ax, title: str, ylabel: str, drawn: bool) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel, fontsize=8)
    if drawn:
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)


def pretraining_loss_title(method: str, labels: dict[str, str]) -> str:
    """Title of a method's own pretraining-loss panel; tests and readers find a method's panel by it."""
    return f"pretraining loss: {method} ({labels.get(method, method)})"


def learning_curves_figure(per_method: dict[str, list[dict[str, dict[str, Curve]]]], val_tag: str,
                           labels: dict[str, str], title: str) -> Figure:
    """The learning-curve figure (a matplotlib ``Figure``), without saving it.

    Top row, shared axes across methods (same quantity, comparable): the fine-tuning validation metric and
    the fine-tuning train loss. Bottom row: one panel per method that has a pretraining loss, each on its
    own y axis, because the objectives differ (GroupContrast's group + contrast loss, MSC's InfoNCE +
    reconstruction, PointContrast's InfoNCE, CSC's partitioned InfoNCE) and their scales mean nothing next
    to each other; only a curve's shape (does it go down, does it plateau) compares. Methods without
    pretraining (``none``) get no loss panel. A method keeps its colour in every panel.
    """
    plt = _pyplot()
    colors = {method: f"C{i}" for i, method in enumerate(per_method)}
    pretrained = {m: [r["pretrain"]["train/loss"] for r in runs if "train/loss" in r.get("pretrain", {})]
                  for m, runs in per_method.items()}
    pretrained = {m: curves for m, curves in pretrained.items() if curves}
    columns = min(len(pretrained), PRETRAIN_PANELS_PER_ROW)
    rows = math.ceil(len(pretrained) / columns) if pretrained else 0
    fig = plt.figure(figsize=(max(4.0 * columns, 10.0), 3.8 * (1 + rows)), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 0.9 * rows]) if pretrained else (fig, None)
    shared = top.subplots(1, 2)
    for ax, (tag, name, ylabel) in zip(shared, [(val_tag, f"fine-tuning: {val_tag}", val_tag),
                                                ("train/loss", "fine-tuning: train loss", "train loss")]):
        drawn = False
        for method, runs in per_method.items():
            curves = [r["finetune"][tag] for r in runs if tag in r.get("finetune", {})]
            if curves:
                _draw_method(ax, curves, colors[method],
                             f"{method} ({labels.get(method, method)}), n={len(curves)}")
                drawn = True
        _finish_axis(ax, name, ylabel, drawn)
    if bottom is not None:
        own = list(bottom.subplots(rows, columns, squeeze=False).flat)
        for ax, (method, curves) in zip(own, pretrained.items()):
            _draw_method(ax, curves, colors[method], f"n={len(curves)}")
            _finish_axis(ax, pretraining_loss_title(method, labels), "train loss (its own scale)", True)
        for ax in own[len(pretrained):]:  # the last row's empty cells
            ax.remove()
        bottom.suptitle("pretraining: each method's own objective, not comparable across panels", fontsize=10)
    fig.suptitle(title, fontsize=11)
    return fig


def learning_curves(path: str, per_method: dict[str, list[dict[str, dict[str, Curve]]]], val_tag: str,
                    labels: dict[str, str], title: str) -> Figure:
    """Save :func:`learning_curves_figure` as a PNG at ``path`` and return the (closed) figure.

    ``per_method[m]`` is a list (one per seed) of :func:`curves.run_curves` results.
    """
    plt = _pyplot()
    fig = learning_curves_figure(per_method, val_tag, labels, title)
    _save(fig, path)
    plt.close(fig)
    return fig


def write_plots(exp_root: str, summary: dict, metric: str, per_method: dict, val_tag: str,
                labels: dict[str, str], title: str) -> list[str]:
    bar = os.path.join(exp_root, "bar_chart.png")
    curves = os.path.join(exp_root, "learning_curves.png")
    bar_chart(bar, summary, metric, labels, title)
    learning_curves(curves, per_method, val_tag, labels, title)
    return [bar, curves]
