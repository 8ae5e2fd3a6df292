"""Colours for pictures of point clouds: integer labels and scalar maps, both pure functions.

Label colours depend only on the label *value* (no RNG, no order of appearance), so the same group or
segment id has the same colour in every picture of a run, and pictures of two epochs can be compared.
The first 64 labels use a palette built once by farthest-point selection in CIELAB over a grid of
saturated HSV colours (no greys, which mean "no label", nor near-white, the background); later ones
walk the hue circle by the golden ratio, so consecutive ids (often neighbouring segments) differ.
"""

from __future__ import annotations

import colorsys
import functools

import numpy as np

#: colour of negative labels ("unlabelled", "no segment") and of NaN scalars
UNLABELLED_COLOR = (170, 170, 170)
PALETTE_SIZE = 64
_GOLDEN = 0.6180339887498949
_SATURATION = (0.85, 0.55, 0.95)
_VALUE = (0.95, 0.75, 0.55)


def _srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of 0-1 sRGB rows: distances there track perceived colour differences."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


@functools.lru_cache(maxsize=1)
def _palette() -> tuple[tuple[int, int, int], ...]:
    """``PALETTE_SIZE`` colours, each the candidate farthest (CIELAB) from all chosen before it."""
    grid = [(h / 48, s, v) for h in range(48) for s in (0.5, 0.75, 1.0) for v in (0.5, 0.75, 1.0)]
    rgb = np.array([colorsys.hsv_to_rgb(*c) for c in grid])
    lab = _srgb_to_lab(rgb)
    chosen = [grid.index((0.0, 1.0, 1.0))]  # pure red first
    distance = np.linalg.norm(lab - lab[chosen[0]], axis=1)
    for _ in range(PALETTE_SIZE - 1):
        chosen.append(int(np.argmax(distance)))
        distance = np.minimum(distance, np.linalg.norm(lab - lab[chosen[-1]], axis=1))
    return tuple(tuple(int(round(x * 255)) for x in rgb[i]) for i in chosen)


def label_color(label: int) -> tuple[int, int, int]:
    """The RGB colour (0-255) of one integer label; negative labels are grey."""
    label = int(label)
    if label < 0:
        return UNLABELLED_COLOR
    if label < PALETTE_SIZE:
        return _palette()[label]
    k = label - PALETTE_SIZE
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
    """A scene's own 0-255 colours as (N, 3) uint8 (rounded, clipped); None gives grey points."""
    if color is None:
        return np.tile(np.array(UNLABELLED_COLOR, dtype=np.uint8), (count, 1))
    color = np.nan_to_num(np.asarray(color, dtype=np.float64), nan=UNLABELLED_COLOR[0])
    return np.clip(np.round(color), 0, 255).astype(np.uint8).reshape(-1, 3)
