"""Furniture builders of the demo rooms: one function per class, each a random list of parts."""

from __future__ import annotations

import math

import numpy as np

from ..meta.demo import BED, BOOKSHELF, CABINET, CHAIR, LAMP, SOFA, TABLE, UNLABELLED
from .materials import pick_color, shade_of
from .shapes import ENDS, Part, box, cylinder


def build_chair(rng: np.random.Generator) -> list[Part]:
    """Seat, back and four legs, or an office chair on a five-spoke base."""
    w, d = rng.uniform(0.40, 0.52), rng.uniform(0.40, 0.50)
    seat_h, t = rng.uniform(0.42, 0.48), rng.uniform(0.03, 0.06)
    frame = pick_color(rng, "wood", "dark", "metal")
    seat = shade_of(rng, frame) if rng.random() < 0.5 else pick_color(rng, "fabric", "leather", "dark")
    back_t, back_h = rng.uniform(0.03, 0.06), rng.uniform(0.35, 0.5)
    parts = [box((0, 0, seat_h - t / 2), (w, d, t), seat)]
    parts.append(box((0, -d / 2 + back_t / 2, seat_h + back_h / 2), (w, back_t, back_h), shade_of(rng, seat)))
    if rng.random() < 0.3:  # office chair
        pole_h = seat_h - t - 0.08
        parts.append(cylinder((0, 0, 0.08 + pole_h / 2), 0.025, pole_h, frame, hidden=ENDS))
        parts.append(cylinder((0, 0, 0.055), 0.05, 0.05, frame, hidden=("-z",)))
        spoke = rng.uniform(0.26, 0.32)
        for k in range(5):
            ang = 2 * math.pi * k / 5
            center = (spoke / 2 * math.cos(ang), spoke / 2 * math.sin(ang), 0.045)
            parts.append(box(center, (spoke, 0.04, 0.03), frame, yaw=ang, hidden=("-z",)))
        return parts
    s = rng.uniform(0.03, 0.045)
    for sx in (-1, 1):
        for sy in (-1, 1):
            center = (sx * (w / 2 - s / 2 - 0.01), sy * (d / 2 - s / 2 - 0.01), (seat_h - t) / 2)
            parts.append(box(center, (s, s, seat_h - t), frame, hidden=ENDS))
    return parts


def build_table(rng: np.random.Generator) -> list[Part]:
    """A top on four legs, or a round top on a pole and foot; dining or coffee height."""
    h = rng.uniform(0.70, 0.78) if rng.random() < 0.8 else rng.uniform(0.38, 0.48)
    top_color = pick_color(rng, "wood", "white", "dark")
    leg_color = shade_of(rng, top_color) if rng.random() < 0.6 else pick_color(rng, "metal", "dark")
    t = rng.uniform(0.03, 0.05)
    if rng.random() < 0.25:
        r, pole_h = rng.uniform(0.35, 0.6), h - t - 0.03
        return [
            cylinder((0, 0, h - t / 2), r, t, top_color),
            cylinder((0, 0, 0.03 + pole_h / 2), rng.uniform(0.03, 0.05), pole_h, leg_color, hidden=ENDS),
            cylinder((0, 0, 0.015), rng.uniform(0.2, 0.3), 0.03, leg_color, hidden=("-z",)),
        ]
    w = rng.uniform(0.8, 1.8) if h > 0.6 else rng.uniform(0.6, 1.2)
    d = rng.uniform(0.5, min(1.0, w))
    parts = [box((0, 0, h - t / 2), (w, d, t), top_color)]
    s, inset = rng.uniform(0.04, 0.07), rng.uniform(0.02, 0.08)
    for sx in (-1, 1):
        for sy in (-1, 1):
            center = (sx * (w / 2 - inset - s / 2), sy * (d / 2 - inset - s / 2), (h - t) / 2)
            parts.append(box(center, (s, s, h - t), leg_color, hidden=ENDS))
    return parts


def build_sofa(rng: np.random.Generator) -> list[Part]:
    """Base with 2-3 seat cushions, a back along -y and two arms."""
    w, d = rng.uniform(1.4, 2.3), rng.uniform(0.8, 0.95)
    seat_h, back_h, back_t = rng.uniform(0.38, 0.44), rng.uniform(0.75, 0.9), rng.uniform(0.15, 0.22)
    arm_w, arm_h, cushion_t = rng.uniform(0.12, 0.2), rng.uniform(0.55, 0.65), 0.1
    color = pick_color(rng, "fabric", "leather")
    inner_w, inner_d, y_mid = w - 2 * arm_w, d - back_t, back_t / 2
    base_h = seat_h - cushion_t
    parts = [
        box((0, y_mid, base_h / 2), (inner_w, inner_d, base_h), color, hidden=("-z",)),
        box((0, -d / 2 + back_t / 2, back_h / 2), (w, back_t, back_h), shade_of(rng, color), hidden=("-z",)),
    ]
    for sx in (-1, 1):
        center = (sx * (w / 2 - arm_w / 2), y_mid, arm_h / 2)
        parts.append(box(center, (arm_w, inner_d, arm_h), color, hidden=("-z",)))
    n = 2 if inner_w < 1.4 else 3
    for k in range(n):
        center = (-inner_w / 2 + (k + 0.5) * inner_w / n, y_mid, seat_h - cushion_t / 2)
        parts.append(box(center, (inner_w / n, inner_d, cushion_t), shade_of(rng, color)))
    return parts


def build_bed(rng: np.random.Generator) -> list[Part]:
    """Frame, mattress, headboard along -y, pillows and often a blanket."""
    w = rng.uniform(0.9, 1.1) if rng.random() < 0.4 else rng.uniform(1.35, 1.8)
    length, frame_h, mat_t = rng.uniform(1.9, 2.15), rng.uniform(0.25, 0.35), rng.uniform(0.18, 0.25)
    head_t, head_h = rng.uniform(0.04, 0.08), rng.uniform(0.8, 1.2)
    frame, linen = pick_color(rng, "wood", "white", "dark"), pick_color(rng, "linen")
    top = frame_h + mat_t
    head_color = shade_of(rng, frame)
    parts = [
        box((0, -length / 2 + head_t / 2, head_h / 2), (w, head_t, head_h), head_color, hidden=("-z",)),
        box((0, head_t / 2, frame_h / 2), (w, length - head_t, frame_h), frame, hidden=("-z",)),
        box((0, (head_t - 0.04) / 2, frame_h + mat_t / 2), (w - 0.04, length - head_t - 0.04, mat_t), linen),
    ]
    n = 1 if w < 1.2 else 2
    pillow_w = min(0.6, (w - 0.1) / n - 0.05)
    for k in range(n):
        center = (-w / 2 + (k + 0.5) * w / n, -length / 2 + head_t + 0.225, top + 0.06)
        parts.append(box(center, (pillow_w, 0.35, 0.12), shade_of(rng, linen, 0.04), hidden=("-z",)))
    if rng.random() < 0.6:
        cover = 0.6 * length
        center = (0, length / 2 - 0.04 - cover / 2, top + 0.015)
        parts.append(box(center, (w - 0.02, cover, 0.03), pick_color(rng, "linen", "fabric"), hidden=("-z",)))
    return parts


def build_cabinet(rng: np.random.Generator) -> list[Part]:
    """A closed box (low cabinet or wardrobe) with a handle per door on its +y front."""
    if rng.random() < 0.25:
        w, d, h = rng.uniform(0.8, 1.5), rng.uniform(0.5, 0.65), rng.uniform(1.8, 2.1)
    else:
        w, d, h = rng.uniform(0.4, 1.2), rng.uniform(0.35, 0.6), rng.uniform(0.5, 1.1)
    color = pick_color(rng, "wood", "white", "dark", "metal")
    parts = [box((0, 0, h / 2), (w, d, h), color, hidden=("-z",))]
    doors = 1 if w < 0.6 else 2
    handle = pick_color(rng, "metal", "dark")
    for k in range(doors):
        center = (0.0 if doors == 1 else (k - 0.5) * 0.12, d / 2 + 0.01, 0.75 * h if h < 1.5 else 0.5 * h)
        parts.append(box(center, (0.02, 0.02, 0.12), handle, hidden=("-y",)))
    return parts


def build_bookshelf(rng: np.random.Generator) -> list[Part]:
    """Open frame with a back panel, 2-5 shelves and rows of books."""
    w, d = rng.uniform(0.6, 1.2), rng.uniform(0.28, 0.4)
    h, t = rng.uniform(1.2, 2.0), rng.uniform(0.018, 0.03)
    color = pick_color(rng, "wood", "white", "dark")
    inner = w - 2 * t
    parts = [box((sx * (w / 2 - t / 2), 0, h / 2), (t, d, h), color, hidden=("-z",)) for sx in (-1, 1)]
    parts.append(box((0, -d / 2 + 0.005, h / 2), (inner, 0.01, h - 2 * t), shade_of(rng, color)))
    levels = max(2, int(h / 0.38))
    heights = [t / 2 + k * (h - t) / levels for k in range(levels + 1)]
    for z in heights:
        parts.append(box((0, 0.005, z), (inner, d - 0.01, t), color, hidden=("-z",) if z < t else ()))
    for lo, hi in zip(heights[:-1], heights[1:]):
        gap, x = hi - lo - t, -inner / 2
        while rng.random() < 0.85:
            x += rng.uniform(0.0, 0.25) if rng.random() < 0.3 else 0.0
            bw, bh = rng.uniform(0.03, 0.08), rng.uniform(0.55, 0.9) * gap
            bd = rng.uniform(0.6, 0.95) * (d - 0.01)
            if x + bw > inner / 2:
                break
            center = (x + bw / 2, -d / 2 + 0.01 + bd / 2, lo + t / 2 + bh / 2)
            parts.append(box(center, (bw, bd, bh), pick_color(rng, "book"), hidden=("-z", "-y")))
            x += bw
    return parts


def build_lamp(rng: np.random.Generator) -> list[Part]:
    """Floor lamp: round foot, thin pole, open cylindrical shade."""
    height, shade_h, shade_r = rng.uniform(1.4, 1.8), rng.uniform(0.22, 0.32), rng.uniform(0.15, 0.25)
    metal, shade = pick_color(rng, "metal", "dark"), pick_color(rng, "shade")
    pole_h = height - shade_h - 0.03
    return [
        cylinder((0, 0, 0.015), rng.uniform(0.12, 0.18), 0.03, metal, hidden=("-z",)),
        cylinder((0, 0, 0.03 + pole_h / 2), rng.uniform(0.012, 0.02), pole_h, metal, hidden=ENDS),
        cylinder((0, 0, height - shade_h / 2), shade_r, shade_h, shade, hidden=ENDS, solid=False),
    ]


def build_clutter(rng: np.random.Generator) -> list[Part]:
    """One or two stacked boxes: unlabelled stuff, as real scans have."""
    parts, z = [], 0.0
    for _ in range(rng.integers(1, 3)):
        size = (rng.uniform(0.2, 0.5), rng.uniform(0.2, 0.5), rng.uniform(0.15, 0.4))
        parts.append(box((0, 0, z + size[2] / 2), size, pick_color(rng, "clutter"), hidden=("-z",)))
        z += size[2]
    return parts


BUILDERS = {
    CHAIR: build_chair, TABLE: build_table, SOFA: build_sofa, BED: build_bed,
    CABINET: build_cabinet, BOOKSHELF: build_bookshelf, LAMP: build_lamp, UNLABELLED: build_clutter,
}  # fmt: skip
