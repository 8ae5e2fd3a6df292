"""Point clouds to pictures with matplotlib: a top-down (xy) and an oblique 3D view per panel.

Several panels (RGB | segments | groups | confidence | similarity) share one figure, one column each and
one row per view, so a reader compares the maps point for point. Figures are built on a bare ``Figure``
with the Agg canvas, never through ``pyplot``: no display is needed, no global backend is switched and
nothing leaks between calls (safe inside a training process). The output size is exact:
``len(panels) * panel_px`` wide and ``len(views) * panel_px`` high.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from pointcept.utils.io import atomic_path

VIEWS = ("top", "oblique")


@dataclass
class Panel:
    """One picture of the cloud: per-point colours (N, 3) uint8, a title, optionally a point to mark."""

    colors: np.ndarray
    title: str = ""
    mark: int | None = None


def subsample_index(count: int, max_points: int | None) -> np.ndarray:
    """Deterministic, evenly spread subset of ``range(count)`` (all when ``max_points`` allows)."""
    if max_points is None or count <= max_points:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, max_points).round().astype(np.int64))


def marker_diameter_px(xy: np.ndarray, px_per_unit: float, cell_px: float = 10.0) -> float:
    """Dot diameter (pixels) that closes the gaps between neighbouring projected points.

    Uses the median number of points per occupied ``cell_px`` cell of the picture (the median, so that
    walls seen edge-on, which pile many points into few cells, do not shrink the dots of the floor):
    dense clouds get ~1 px dots (the points cover the surface anyway), sparse ones dots as wide as their
    spacing.
    """
    if len(xy) == 0:
        return 1.0
    cells = np.floor((xy - xy.min(axis=0)) * px_per_unit / cell_px).astype(np.int64)
    _, per_cell = np.unique(cells[:, 0] * (int(cells[:, 1].max()) + 1) + cells[:, 1], return_counts=True)
    spacing_px = cell_px / np.sqrt(float(np.median(per_cell)))
    return float(np.clip(1.3 * spacing_px, 1.0, 12.0))


def _area(diameter_px: float, dpi: float) -> float:
    """matplotlib's scatter size (points^2) of a dot ``diameter_px`` pixels wide."""
    return (diameter_px * 72.0 / dpi) ** 2


def _draw_top(ax, coord: np.ndarray, panel: Panel, keep: np.ndarray, panel_px: int, dpi: float) -> None:
    xy = coord[keep, :2]
    lo, hi = coord[:, :2].min(axis=0), coord[:, :2].max(axis=0)
    span = float(max((hi - lo).max(), 1e-6))
    size = _area(marker_diameter_px(xy, 0.92 * panel_px / span), dpi)
    order = keep[np.argsort(coord[keep, 2], kind="stable")]  # higher points (table tops) drawn last
    ax.scatter(coord[order, 0], coord[order, 1], c=panel.colors[order] / 255.0, s=size, marker="o",
               linewidths=0, edgecolors="none", rasterized=True)
    center, half = (lo + hi) / 2, span / 2 * 1.04
    ax.set_xlim(center[0] - half, center[0] + half)
    ax.set_ylim(center[1] - half, center[1] + half)
    ax.set_aspect("equal")
    if panel.mark is not None:
        ax.scatter([coord[panel.mark, 0]], [coord[panel.mark, 1]], s=_area(panel_px / 25, dpi), marker="*",
                   c="yellow", edgecolors="black", linewidths=0.8, zorder=10)
    ax.set_axis_off()


def _draw_oblique(ax, coord: np.ndarray, panel: Panel, keep: np.ndarray, panel_px: int, dpi: float,
                  elev: float, azim: float) -> None:
    lo, hi = coord.min(axis=0), coord.max(axis=0)
    extent = np.maximum(hi - lo, 1e-6)
    size = _area(0.9 * marker_diameter_px(coord[keep, :2], 0.8 * panel_px / float(extent.max())), dpi)
    ax.computed_zorder = False  # keep the query marker above the cloud
    ax.scatter(coord[keep, 0], coord[keep, 1], coord[keep, 2], c=panel.colors[keep] / 255.0, s=size,
               marker="o", linewidths=0, edgecolors="none", depthshade=False, rasterized=True)
    if panel.mark is not None:
        p = coord[panel.mark]
        ax.scatter([p[0]], [p[1]], [p[2]], s=_area(panel_px / 25, dpi), marker="*", c="yellow",
                   edgecolors="black", linewidths=0.8, depthshade=False, zorder=10)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_zlim(lo[2], hi[2])
    ax.set_box_aspect(tuple(extent), zoom=1.05)
    ax.view_init(elev=elev, azim=azim)
    ax.set_axis_off()


def panel_figure(
    coord: np.ndarray,
    panels: Sequence[Panel],
    views: Sequence[str] = VIEWS,
    panel_px: int = 400,
    dpi: int = 100,
    max_points: int | None = 100_000,
    title: str | None = None,
    elev: float = 55.0,
    azim: float = -60.0,
):
    """A matplotlib ``Figure`` (Agg canvas attached) with one column per panel and one row per view."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    coord = np.asarray(coord, dtype=np.float64).reshape(-1, 3)
    if not panels:
        raise ValueError("panel_figure: no panels")
    for panel in panels:
        if len(panel.colors) != len(coord):
            raise ValueError(f"panel {panel.title!r}: {len(panel.colors)} colours for {len(coord)} points")
    unknown = [v for v in views if v not in VIEWS]
    if unknown or not views:
        raise ValueError(f"views must be a non-empty subset of {VIEWS}, got {tuple(views)}")
    rows, cols = len(views), len(panels)
    fig = Figure(figsize=(cols * panel_px / dpi, rows * panel_px / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    keep = subsample_index(len(coord), max_points)
    font = max(6.0, panel_px / 36)
    top_margin = 0.08 / rows if title else 0.0  # 8% of one panel's height, inside the figure
    if title:
        fig.text(0.5, 1 - top_margin / 2, title, ha="center", va="center", fontsize=font * 1.1)
    cell_w, cell_h = 1.0 / cols, (1.0 - top_margin) / rows
    for r, view in enumerate(views):
        for c, panel in enumerate(panels):
            left, bottom = c * cell_w, 1.0 - top_margin - (r + 1) * cell_h
            has_title = bool(panel.title) and r == 0
            height = cell_h * (0.9 if has_title else 0.98)
            rect = [left + 0.01 * cell_w, bottom + 0.01 * cell_h, 0.98 * cell_w, height]
            if view == "top":
                ax = fig.add_axes(rect)
                _draw_top(ax, coord, panel, keep, panel_px, dpi)
            else:
                ax = fig.add_axes(rect, projection="3d")
                _draw_oblique(ax, coord, panel, keep, panel_px, dpi, elev, azim)
            if has_title:
                fig.text(left + cell_w / 2, bottom + cell_h * 0.985, panel.title, ha="center", va="top",
                         fontsize=font)
    return fig


def figure_to_array(fig) -> np.ndarray:
    """The rendered figure as an (H, W, 3) uint8 array (for tensorboard's ``add_image``)."""
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Write the figure as PNG atomically (a temp file renamed into place)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=fig.dpi, facecolor=fig.get_facecolor())
    return path


def render_panels(path: str | os.PathLike, coord: np.ndarray, panels: Sequence[Panel], **options) -> Path:
    """Draw ``panels`` of ``coord`` (see :func:`panel_figure` for ``options``) and write a PNG."""
    return save_figure(panel_figure(coord, panels, **options), path)


def render_array(coord: np.ndarray, panels: Sequence[Panel], **options) -> np.ndarray:
    """Draw ``panels`` of ``coord`` into an (H, W, 3) uint8 array instead of a file."""
    return figure_to_array(panel_figure(coord, panels, **options))
