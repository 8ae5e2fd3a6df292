"""Colours for pictures of point clouds: integer labels and scalar maps, both pure functions.

Label colours depend only on the label *value* (no RNG, no order of appearance), so the same group or
segment id has the same colour in every picture of a run, and pictures of two epochs can be compared.
The first 20 labels use Kelly's colours of maximum contrast (without the greys, which mean "no label");
later ones walk the hue circle by the golden ratio with alternating saturation/brightness, so
consecutive ids (often neighbouring segments) never get similar colours.
"""

from __future__ import annotations

import colorsys

import numpy as np

#: colour of negative labels ("unlabelled", "no segment") and of NaN scalars
UNLABELLED_COLOR = (170, 170, 170)
#: Kelly (1965), 22 colours of maximum contrast without white, black and grey
KELLY_COLORS: tuple[tuple[int, int, int], ...] = (
    (255, 179, 0), (128, 62, 117), (255, 104, 0), (166, 189, 215), (193, 0, 32),
    (206, 162, 98), (0, 125, 52), (246, 118, 142), (0, 83, 138), (255, 122, 92),
    (83, 55, 122), (255, 142, 0), (179, 40, 81), (244, 200, 0), (127, 24, 13),
    (147, 170, 0), (89, 51, 21), (241, 58, 19), (35, 44, 22), (0, 161, 194),
)  # fmt: skip
_GOLDEN = 0.6180339887498949
_SATURATION = (0.85, 0.55, 0.95)
_VALUE = (0.95, 0.75, 0.55)


def label_color(label: int) -> tuple[int, int, int]:
    """The RGB colour (0-255) of one integer label; negative labels are grey."""
    label = int(label)
    if label < 0:
        return UNLABELLED_COLOR
    if label < len(KELLY_COLORS):
        return KELLY_COLORS[label]
    k = label - len(KELLY_COLORS)
    hue = (0.07 + k * _GOLDEN) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, _SATURATION[k % 3], _VALUE[(k // 3) % 3])
    return int(round(r * 255)), int(round(g * 255)), int(round(b * 255))


def label_palette(count: int) -> np.ndarray:
    """(count, 3) uint8 colours of labels ``0..count-1``."""
    return np.array([label_color(i) for i in range(count)], dtype=np.uint8).reshape(-1, 3)


def label_colors(labels: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 colour of every integer label (negative = grey); cost scales with the distinct labels."""
    labels = np.asarray(labels).reshape(-1).astype(np.int64)
    if labels.size == 0:
        return np.zeros((0, 3), dtype=np.uint8)
    unique, inverse = np.unique(labels, return_inverse=True)
    table = np.array([label_color(u) for u in unique], dtype=np.uint8)
    return table[inverse.reshape(-1)]


def scalar_colors(
    values: np.ndarray, vmin: float | None = None, vmax: float | None = None, cmap: str = "viridis"
) -> np.ndarray:
    """(N, 3) uint8 colours of scalars through a matplotlib colormap; NaN is grey.

    ``vmin``/``vmax`` default to the finite range of ``values``; pass them explicitly (e.g. ``-1, 1`` for a
    cosine similarity) so that pictures stay comparable between scenes and epochs.
    """
    import matplotlib

    values = np.asarray(values, dtype=np.float64).reshape(-1)
    out = np.empty((len(values), 3), dtype=np.uint8)
    finite = np.isfinite(values)
    out[~finite] = UNLABELLED_COLOR
    if not finite.any():
        return out
    lo = float(values[finite].min()) if vmin is None else float(vmin)
    hi = float(values[finite].max()) if vmax is None else float(vmax)
    scaled = (values[finite] - lo) / (hi - lo) if hi > lo else np.full(int(finite.sum()), 0.5)
    rgba = matplotlib.colormaps[cmap](np.clip(scaled, 0.0, 1.0))
    out[finite] = np.round(rgba[:, :3] * 255).astype(np.uint8)
    return out


def rgb_colors(color: np.ndarray | None, count: int) -> np.ndarray:
    """A scene's own colours as (N, 3) uint8: 0-255 values are kept, 0-1 floats scaled; None is grey."""
    if color is None:
        return np.tile(np.array(UNLABELLED_COLOR, dtype=np.uint8), (count, 1))
    color = np.asarray(color)
    if np.issubdtype(color.dtype, np.floating) and color.size and float(np.nanmax(color)) <= 1.0:
        color = color * 255.0
    return np.clip(np.round(color), 0, 255).astype(np.uint8).reshape(-1, 3)
