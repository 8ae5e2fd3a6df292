"""Invariants of the colour transforms (RGB in 0..255 until ``NormalizeColor``)."""

from __future__ import annotations

import numpy as np
import pytest

from pointcept.datasets.transforms import TRANSFORMS
from pointcept.datasets.transforms.color import (
    adjust_contrast,
    adjust_hue,
    adjust_saturation,
    hsv_to_rgb,
    rgb_to_hsv,
)

#: strong settings that always apply, to push colours towards (and past) the range limits
STRONG = {
    "ChromaticAutoContrast": dict(p=1.0),
    "ChromaticTranslation": dict(p=1.0, ratio=0.5),
    "ChromaticJitter": dict(p=1.0, std=0.5),
    "GaussianJitter": dict(p=1.0, std=0.5),
    "HueSaturationTranslation": dict(hue_max=0.5, saturation_max=1.0),
    "RandomColorGrayScale": dict(p=1.0),
    "RandomColorDrop": dict(p=1.0),
    "RandomColorBrightness": dict(p=1.0, brightness=3.0),
    "RandomColorContrast": dict(p=1.0, contrast=3.0),
    "RandomColorSaturation": dict(p=1.0, saturation=3.0),
    "RandomColorHue": dict(p=1.0, hue=0.5),
    "RandomColorJitter": dict(brightness=3.0, contrast=3.0, saturation=3.0, hue=0.5, p=1.0),
}


def build(name: str, **kwargs):
    return TRANSFORMS.build({"type": name, **kwargs})


@pytest.mark.parametrize("name", sorted(STRONG))
def test_colour_transforms_stay_in_0_255(make_cloud, name):
    for seed in range(5):
        cloud = make_cloud(seed=seed)
        out = build(name, **STRONG[name])(dict(cloud), np.random.default_rng(seed))
        assert out["color"].dtype == np.float32 and out["color"].shape == cloud["color"].shape
        assert out["color"].min() >= 0 and out["color"].max() <= 255
        assert np.isfinite(out["color"]).all()


@pytest.mark.parametrize("name", sorted(STRONG))
def test_colour_transforms_ignore_clouds_without_colour(make_cloud, name):
    cloud = make_cloud()
    del cloud["color"]
    cloud["index_valid_keys"].remove("color")
    out = build(name, **STRONG[name])(dict(cloud), np.random.default_rng(0))
    assert "color" not in out


def test_normalize_color(make_cloud):
    cloud = make_cloud()
    out = build("NormalizeColor")(dict(cloud), np.random.default_rng(0))
    assert out["color"].dtype == np.float32
    assert out["color"].min() >= 0 and out["color"].max() <= 1
    np.testing.assert_allclose(out["color"], cloud["color"] / 255, rtol=1e-6)


def test_auto_contrast_full_blend_stretches_each_channel(make_cloud):
    cloud = make_cloud()
    cloud["color"] = (cloud["color"] * 0.5 + 20).astype(np.float32)
    out = build("ChromaticAutoContrast", p=1.0, blend_factor=1.0)(dict(cloud), np.random.default_rng(0))
    np.testing.assert_allclose(out["color"].min(0), 0, atol=1e-3)
    np.testing.assert_allclose(out["color"].max(0), 255, atol=1e-3)


def test_translation_is_one_offset(make_cloud):
    cloud = make_cloud()
    cloud["color"] = np.full_like(cloud["color"], 128)
    out = build("ChromaticTranslation", p=1.0, ratio=0.05)(dict(cloud), np.random.default_rng(0))
    delta = out["color"] - 128
    np.testing.assert_allclose(delta, np.broadcast_to(delta[0], delta.shape), atol=1e-4)
    assert np.abs(delta).max() <= 0.05 * 255 + 1e-4


def test_grayscale_and_drop(make_cloud):
    cloud = make_cloud()
    gray = build("RandomColorGrayScale", p=1.0)(dict(cloud), np.random.default_rng(0))["color"]
    np.testing.assert_allclose(gray[:, 0], gray[:, 1])
    np.testing.assert_allclose(gray[:, 0], gray[:, 2])
    dropped = build("RandomColorDrop", p=1.0)(dict(cloud), np.random.default_rng(0))["color"]
    assert not dropped.any()


def test_brightness_is_one_factor_in_range(make_cloud):
    cloud = make_cloud()
    cloud["color"] = np.clip(cloud["color"], 10, 150)  # no clipping at 255 for factors <= 1.5
    out = build("RandomColorBrightness", p=1.0, brightness=0.5)(dict(cloud), np.random.default_rng(0))
    ratio = out["color"] / cloud["color"]
    np.testing.assert_allclose(ratio, ratio[0, 0], rtol=1e-5)
    assert 0.5 <= ratio[0, 0] <= 1.5


def test_factor_ranges_clip_at_zero():
    transform = build("RandomColorContrast", p=1.0, contrast=3.0)
    assert transform._range == (0.0, 4.0)
    with pytest.raises(ValueError):
        build("RandomColorHue", hue=0.6)
    with pytest.raises(ValueError):
        build("RandomColorJitter", hue=0.7)


def test_adjustments_follow_torchvision_semantics():
    rgb = np.array([[255.0, 0, 0], [0, 255, 0], [10, 20, 30], [200, 200, 200]])
    gray = rgb @ np.array([0.2989, 0.587, 0.114])
    np.testing.assert_allclose(adjust_saturation(rgb, 0.0), np.repeat(gray[:, None], 3, axis=1))
    np.testing.assert_allclose(adjust_contrast(rgb, 0.0), np.full_like(rgb, gray.mean()))
    np.testing.assert_allclose(adjust_hue(rgb, 0.0), rgb, atol=1e-9)
    np.testing.assert_allclose(adjust_hue(rgb[:1], 1 / 3), [[0, 255, 0]], atol=1e-9)  # red -> green


def test_hsv_round_trip():
    rgb = np.random.default_rng(0).random((1000, 3))
    rgb[:10] = rgb[:10, :1]  # some greys (zero chroma)
    rgb[10] = 0
    hsv = rgb_to_hsv(rgb)
    assert (hsv >= 0).all() and (hsv <= 1).all() and (hsv[:, 0] < 1).all()
    np.testing.assert_allclose(hsv_to_rgb(hsv), rgb, atol=1e-12)


def test_jitter_with_zero_strengths_is_identity(make_cloud):
    cloud = make_cloud()
    out = build("RandomColorJitter", p=1.0)(dict(cloud), np.random.default_rng(0))
    np.testing.assert_array_equal(out["color"], cloud["color"])


def test_hue_saturation_translation_keeps_greys_grey(make_cloud):
    cloud = make_cloud()
    cloud["color"] = np.repeat(cloud["color"][:, :1], 3, axis=1)
    out = build("HueSaturationTranslation")(dict(cloud), np.random.default_rng(0))
    np.testing.assert_allclose(out["color"], cloud["color"], atol=1e-3)
