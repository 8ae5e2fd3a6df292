"""Colours of the demo rooms: material palettes that several classes share, with per-instance jitter."""

from __future__ import annotations

import numpy as np

#: base colours (RGB) of materials; classes draw from several, and several classes share one
MATERIALS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "floor": ((176, 138, 96), (122, 88, 58), (128, 126, 120), (198, 188, 168), (88, 98, 118)),
    "wall": ((226, 224, 218), (218, 204, 182), (192, 196, 200), (186, 200, 214), (198, 210, 190)),
    "wood": ((168, 124, 80), (120, 84, 52), (190, 150, 105), (95, 65, 45)),
    "white": ((222, 222, 216), (235, 232, 225), (205, 208, 210)),
    "dark": ((48, 48, 52), (70, 62, 58), (35, 38, 45)),
    "fabric": ((112, 112, 118), (72, 92, 132), (88, 112, 82), (150, 60, 55), (190, 176, 150)),
    "leather": ((108, 70, 46), (40, 40, 42), (150, 100, 70)),
    "metal": ((168, 170, 172), (120, 122, 126)),
    "linen": ((232, 232, 226), (182, 198, 222), (222, 196, 200), (200, 210, 190)),
    "shade": ((236, 226, 200), (240, 240, 235), (220, 160, 90)),
    "book": ((170, 40, 40), (40, 70, 140), (40, 120, 70), (200, 170, 60), (230, 230, 220), (30, 30, 30)),
    "clutter": ((170, 130, 90), (140, 140, 140), (60, 90, 150), (200, 60, 50)),
}


def pick_color(rng: np.random.Generator, *materials: str) -> np.ndarray:
    """A material's colour with per-instance jitter, so palettes overlap but still inform."""
    options = MATERIALS[materials[rng.integers(len(materials))]]
    base = np.asarray(options[rng.integers(len(options))], float)
    return np.clip(base * rng.uniform(0.85, 1.15) + rng.normal(0, 10, 3), 0, 255)


def shade_of(rng: np.random.Generator, color: np.ndarray, spread: float = 0.08) -> np.ndarray:
    """A slightly different tone of ``color`` for a second part of the same object."""
    return np.clip(color * rng.uniform(1 - spread, 1 + spread), 0, 255)
