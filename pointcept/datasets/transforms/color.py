"""Colour augmentations on RGB in 0..255 (float), and ``NormalizeColor`` which maps it to 0..1.

Every transform keeps colours inside 0..255 and keeps the input dtype. The ``RandomColor*`` family follows
torchvision's ``ColorJitter`` (factors uniform in ``[max(0, 1 - x), 1 + x]``, hue shift in ``[-x, x]`` of
the colour wheel), which is what GroupContrast's colour-augmentation study (its Table 4) varies.
Only the first three channels are treated as RGB.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .base import TRANSFORMS, Transform

GRAY_WEIGHTS = np.array([0.2989, 0.587, 0.114])


def rgb_to_hsv(rgb: np.ndarray) -> np.ndarray:
    """(N, 3) RGB in 0..1 -> HSV with hue in [0, 1) of the wheel, saturation and value in 0..1."""
    rgb = np.asarray(rgb, dtype=np.float64)
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]
    value = rgb.max(axis=1)
    chroma = value - rgb.min(axis=1)
    safe_chroma = np.where(chroma > 0, chroma, 1.0)
    saturation = np.where(value > 0, chroma / np.where(value > 0, value, 1.0), 0.0)
    hue = np.where(
        value == r,
        (g - b) / safe_chroma,
        np.where(value == g, 2.0 + (b - r) / safe_chroma, 4.0 + (r - g) / safe_chroma),
    )
    hue = np.where(chroma > 0, (hue / 6.0) % 1.0, 0.0)
    return np.stack([hue, saturation, value], axis=1)


def hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_hsv`."""
    h, s, v = hsv[:, 0] % 1.0, hsv[:, 1], hsv[:, 2]
    sector = np.floor(h * 6.0)
    frac = h * 6.0 - sector
    p, q, t = v * (1 - s), v * (1 - s * frac), v * (1 - s * (1 - frac))
    sector = sector.astype(int) % 6
    choices = [
        np.stack(c, axis=1)
        for c in ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))
    ]
    return np.select([(sector == k)[:, None] for k in range(6)], choices)


def grayscale(rgb: np.ndarray) -> np.ndarray:
    """(N, 3) -> (N, 1) luma with torchvision's weights."""
    return (rgb[:, :3] @ GRAY_WEIGHTS)[:, None]


def _set_rgb(data: dict, rgb: np.ndarray) -> None:
    """Write new RGB values (clipped to 0..255) into a copy of ``data["color"]``."""
    color = data["color"].copy()
    color[:, :3] = np.clip(rgb, 0.0, 255.0)
    data["color"] = color


def _factor_range(value: float, name: str) -> tuple[float, float]:
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return max(0.0, 1.0 - value), 1.0 + value


def adjust_brightness(rgb: np.ndarray, factor: float) -> np.ndarray:
    return rgb * factor


def adjust_contrast(rgb: np.ndarray, factor: float) -> np.ndarray:
    mean = grayscale(rgb).mean()
    return factor * rgb + (1.0 - factor) * mean


def adjust_saturation(rgb: np.ndarray, factor: float) -> np.ndarray:
    return factor * rgb + (1.0 - factor) * grayscale(rgb)


def adjust_hue(rgb: np.ndarray, shift: float) -> np.ndarray:
    hsv = rgb_to_hsv(np.clip(rgb, 0.0, 255.0) / 255.0)
    hsv[:, 0] = (hsv[:, 0] + shift) % 1.0
    return hsv_to_rgb(hsv) * 255.0


@TRANSFORMS.register_module()
class ChromaticAutoContrast(Transform):
    """With probability ``p``, blend colours with their per-channel min-max stretch to 0..255."""

    def __init__(self, p: float = 0.2, blend_factor: float | None = None):
        self.p = p
        self.blend_factor = blend_factor

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" not in data or rng.random() >= self.p:
            return data
        rgb = data["color"][:, :3].astype(np.float64)
        lo, hi = rgb.min(axis=0), rgb.max(axis=0)
        span = hi - lo
        stretched = np.where(span > 0, (rgb - lo) * 255.0 / np.where(span > 0, span, 1.0), rgb)
        blend = rng.random() if self.blend_factor is None else self.blend_factor
        _set_rgb(data, (1 - blend) * rgb + blend * stretched)
        return data


@TRANSFORMS.register_module()
class ChromaticTranslation(Transform):
    """With probability ``p``, add one RGB offset uniform in ``±ratio * 255`` to every point."""

    def __init__(self, p: float = 0.95, ratio: float = 0.05):
        self.p = p
        self.ratio = ratio

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" not in data or rng.random() >= self.p:
            return data
        offset = (rng.random((1, 3)) - 0.5) * 2 * 255 * self.ratio
        _set_rgb(data, data["color"][:, :3] + offset)
        return data


@TRANSFORMS.register_module()
class ChromaticJitter(Transform):
    """With probability ``p``, add per-point Gaussian noise of std ``std * 255``."""

    def __init__(self, p: float = 0.95, std: float = 0.005):
        self.p = p
        self.std = std

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" not in data or rng.random() >= self.p:
            return data
        noise = rng.standard_normal((len(data["color"]), 3)) * self.std * 255
        _set_rgb(data, data["color"][:, :3] + noise)
        return data


@TRANSFORMS.register_module()
class GaussianJitter(Transform):
    """With probability ``p``, per-point, per-channel colour noise of std ``std`` of the full 0..255 range.

    The name GroupContrast's augmentation table uses; same noise model as ``ChromaticJitter``.
    """

    def __init__(self, std: float = 0.01, p: float = 0.95):
        self.std = std
        self.p = p

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" not in data or rng.random() >= self.p:
            return data
        noise = rng.normal(0.0, self.std * 255.0, (len(data["color"]), 3))
        _set_rgb(data, data["color"][:, :3] + noise)
        return data


@TRANSFORMS.register_module()
class HueSaturationTranslation(Transform):
    """Always shift hue by up to ``±hue_max`` of the wheel, scale saturation by ``1 ± saturation_max``."""

    def __init__(self, hue_max: float = 0.5, saturation_max: float = 0.2):
        self.hue_max = hue_max
        self.saturation_max = saturation_max

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" not in data:
            return data
        hsv = rgb_to_hsv(np.clip(data["color"][:, :3], 0, 255) / 255.0)
        hue_shift = (rng.random() - 0.5) * 2 * self.hue_max
        saturation_ratio = 1 + (rng.random() - 0.5) * 2 * self.saturation_max
        hsv[:, 0] = (hsv[:, 0] + hue_shift) % 1.0
        hsv[:, 1] = np.clip(hsv[:, 1] * saturation_ratio, 0.0, 1.0)
        _set_rgb(data, hsv_to_rgb(hsv) * 255.0)
        return data


@TRANSFORMS.register_module()
class RandomColorGrayScale(Transform):
    """With probability ``p``, replace RGB by its luma in all three channels."""

    def __init__(self, p: float = 0.2):
        self.p = p

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" not in data or rng.random() >= self.p:
            return data
        _set_rgb(data, np.repeat(grayscale(data["color"].astype(np.float64)), 3, axis=1))
        return data


@TRANSFORMS.register_module()
class RandomColorDrop(Transform):
    """With probability ``p``, multiply colours by ``color_augment`` (0 drops colour entirely)."""

    def __init__(self, p: float = 0.2, color_augment: float = 0.0):
        self.p = p
        self.color_augment = color_augment

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" not in data or rng.random() >= self.p:
            return data
        _set_rgb(data, data["color"][:, :3] * self.color_augment)
        return data


class _FactorColorTransform(Transform):
    """One torchvision-style adjustment applied with probability ``p`` and a factor drawn per sample."""

    adjust: Callable[[np.ndarray, float], np.ndarray]

    def __init__(self, p: float, low: float, high: float):
        self.p = p
        self._range = (low, high)

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" not in data or rng.random() >= self.p:
            return data
        factor = rng.uniform(*self._range)
        _set_rgb(data, type(self).adjust(data["color"][:, :3].astype(np.float64), factor))
        return data


@TRANSFORMS.register_module()
class RandomColorBrightness(_FactorColorTransform):
    """Scale RGB by a factor in ``[max(0, 1 - brightness), 1 + brightness]``."""

    adjust = staticmethod(adjust_brightness)

    def __init__(self, p: float = 0.95, brightness: float = 0.4):
        self.brightness = brightness
        super().__init__(p, *_factor_range(brightness, "brightness"))


@TRANSFORMS.register_module()
class RandomColorContrast(_FactorColorTransform):
    """Blend RGB with the cloud's mean luma by a factor in ``[max(0, 1 - contrast), 1 + contrast]``."""

    adjust = staticmethod(adjust_contrast)

    def __init__(self, p: float = 0.95, contrast: float = 0.4):
        self.contrast = contrast
        super().__init__(p, *_factor_range(contrast, "contrast"))


@TRANSFORMS.register_module()
class RandomColorSaturation(_FactorColorTransform):
    """Blend RGB with each point's luma by a factor in ``[max(0, 1 - saturation), 1 + saturation]``."""

    adjust = staticmethod(adjust_saturation)

    def __init__(self, p: float = 0.95, saturation: float = 0.4):
        self.saturation = saturation
        super().__init__(p, *_factor_range(saturation, "saturation"))


@TRANSFORMS.register_module()
class RandomColorHue(_FactorColorTransform):
    """Rotate hue by a shift uniform in ``[-hue, hue]`` of the colour wheel (``hue <= 0.5``)."""

    adjust = staticmethod(adjust_hue)

    def __init__(self, p: float = 0.95, hue: float = 0.1):
        if not 0 <= hue <= 0.5:
            raise ValueError(f"hue must be in [0, 0.5], got {hue}")
        self.hue = hue
        super().__init__(p, -hue, hue)


@TRANSFORMS.register_module()
class RandomColorJitter(Transform):
    """Brightness, contrast, saturation and hue in a random order, each applied with probability ``p``.

    A zero strength disables that adjustment. Factors are drawn once per sample, as in torchvision.
    """

    def __init__(
        self,
        brightness: float = 0,
        contrast: float = 0,
        saturation: float = 0,
        hue: float = 0,
        p: float = 0.95,
    ):
        if not 0 <= hue <= 0.5:
            raise ValueError(f"hue must be in [0, 0.5], got {hue}")
        self.brightness, self.contrast, self.saturation = brightness, contrast, saturation
        self.hue, self.p = hue, p
        self._ops = [
            (adjust_brightness, _factor_range(brightness, "brightness") if brightness else None),
            (adjust_contrast, _factor_range(contrast, "contrast") if contrast else None),
            (adjust_saturation, _factor_range(saturation, "saturation") if saturation else None),
            (adjust_hue, (-hue, hue) if hue else None),
        ]

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" not in data:
            return data
        order = rng.permutation(len(self._ops))
        factors = [None if r is None else rng.uniform(*r) for _, r in self._ops]
        rgb = data["color"][:, :3].astype(np.float64)
        changed = False
        for i in order:
            adjust, _ = self._ops[i]
            if factors[i] is not None and rng.random() < self.p:
                rgb = np.clip(adjust(rgb, factors[i]), 0.0, 255.0)
                changed = True
        if changed:
            _set_rgb(data, rgb)
        return data


@TRANSFORMS.register_module()
class NormalizeColor(Transform):
    """Map colours from 0..255 to 0..1 (``color / 255``, as Pointcept does)."""

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "color" in data:
            color = data["color"]
            dtype = color.dtype if np.issubdtype(color.dtype, np.floating) else np.float32
            data["color"] = (color / 255.0).astype(dtype)
        return data
