"""Invariants of the geometric transforms."""

from __future__ import annotations

import numpy as np
import pytest

from pointcept.datasets.transforms import TRANSFORMS
from pointcept.datasets.transforms.geometric import rotation_matrix


def build(name: str, **kwargs):
    return TRANSFORMS.build({"type": name, **kwargs})


def apply(name: str, data: dict, seed: int = 0, **kwargs):
    """Build ``name`` and run it on a shallow copy of ``data``."""
    return build(name, **kwargs)(dict(data), np.random.default_rng(seed))


def bbox_center(coord: np.ndarray) -> np.ndarray:
    return (coord.min(0).astype(np.float64) + coord.max(0)) / 2


def with_ids(cloud: dict) -> dict:
    """Make ``segment`` a point id, so alignment of per-point keys can be checked after sampling."""
    cloud["segment"] = np.arange(len(cloud["coord"]), dtype=np.int64)
    return cloud


def assert_aligned(out: dict, original: dict) -> None:
    ids = out["segment"]
    for key in ("coord", "color", "normal", "instance"):
        np.testing.assert_array_equal(out[key], original[key][ids], err_msg=f"{key} out of step")


@pytest.mark.parametrize("axis", ["x", "y", "z"])
def test_rotate_keeps_norms_about_the_centre_and_rotates_normals(make_cloud, axis):
    cloud = make_cloud()
    center = bbox_center(cloud["coord"])
    out = apply("RandomRotate", cloud, angle=[0.25, 0.25], axis=axis, always_apply=True)
    before = np.linalg.norm(cloud["coord"] - center, axis=1)
    after = np.linalg.norm(out["coord"] - center, axis=1)
    np.testing.assert_allclose(after, before, atol=1e-5)
    rot = rotation_matrix(np.pi / 4, axis)
    np.testing.assert_allclose(out["normal"], cloud["normal"] @ rot.T, atol=1e-6)
    np.testing.assert_allclose(out["coord"], (cloud["coord"] - center) @ rot.T + center, atol=1e-5)
    j = "xyz".index(axis)
    np.testing.assert_allclose(out["coord"][:, j], cloud["coord"][:, j], atol=1e-6)
    assert out["coord"].dtype == np.float32 and out["normal"].dtype == np.float32


def test_rotate_about_a_given_centre(make_cloud):
    cloud = make_cloud()
    out = apply("RandomRotate", cloud, angle=[0.5, 0.5], center=[0, 0, 0], always_apply=True)
    x, y, z = cloud["coord"].T
    np.testing.assert_allclose(out["coord"], np.stack([-y, x, z], axis=1), atol=1e-5)


def test_rotate_probability(make_cloud):
    cloud = make_cloud()
    out = apply("RandomRotate", cloud, p=0.0)
    assert out["coord"] is cloud["coord"]


def test_rotate_target_angle_picks_one_of_the_angles(make_cloud):
    cloud = make_cloud()
    center = bbox_center(cloud["coord"])
    rotations = [rotation_matrix(a * np.pi, "z") for a in (1 / 2, 1, 3 / 2)]
    candidates = [(cloud["coord"] - center) @ rot.T + center for rot in rotations]
    seen = set()
    for seed in range(12):
        out = apply("RandomRotateTargetAngle", cloud, seed, always_apply=True)
        hits = [i for i, c in enumerate(candidates) if np.allclose(out["coord"], c, atol=1e-5)]
        assert len(hits) == 1
        seen.add(hits[0])
    assert seen == {0, 1, 2}


def test_flip_negates_x_and_y_with_normals(make_cloud):
    cloud = make_cloud()
    out = apply("RandomFlip", cloud, p=1.0)
    sign = np.array([-1, -1, 1], dtype=np.float32)
    np.testing.assert_array_equal(out["coord"], cloud["coord"] * sign)
    np.testing.assert_array_equal(out["normal"], cloud["normal"] * sign)
    kept = apply("RandomFlip", cloud, p=0.0)
    np.testing.assert_array_equal(kept["coord"], cloud["coord"])


def test_flip_axes_are_independent(make_cloud):
    cloud = make_cloud()
    patterns = set()
    for seed in range(20):
        out = apply("RandomFlip", cloud, seed, p=0.5)
        sign = np.sign(out["coord"][0] / cloud["coord"][0])
        np.testing.assert_array_equal(np.sign(out["normal"][0] / cloud["normal"][0]), sign)
        patterns.add(tuple(sign))
    assert patterns == {(1, 1, 1), (-1, 1, 1), (1, -1, 1), (-1, -1, 1)}


def test_scale(make_cloud):
    cloud = make_cloud()
    out = apply("RandomScale", cloud, scale=[2.0, 2.0])
    np.testing.assert_allclose(out["coord"], cloud["coord"] * 2, rtol=1e-6)
    out = apply("RandomScale", cloud, scale=[0.5, 1.5], anisotropic=True)
    ratio = out["coord"] / cloud["coord"]
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[0], ratio.shape), rtol=1e-5)
    assert ((ratio[0] >= 0.5) & (ratio[0] <= 1.5)).all() and len(np.unique(np.round(ratio[0], 6))) == 3


def test_jitter_stays_within_clip(make_cloud):
    cloud = make_cloud()
    out = apply("RandomJitter", cloud, sigma=0.05, clip=0.02)
    delta = out["coord"] - cloud["coord"]
    assert np.abs(delta).max() <= 0.02 + 1e-6
    assert np.abs(delta).max() > 0.019  # sigma > clip: many values hit the clip


def test_shift_is_one_offset_within_bounds(make_cloud):
    cloud = make_cloud()
    out = apply("RandomShift", cloud)
    delta = out["coord"].astype(np.float64) - cloud["coord"]
    np.testing.assert_allclose(delta, np.broadcast_to(delta[0], delta.shape), atol=1e-5)
    assert abs(delta[0, 0]) <= 0.2 and abs(delta[0, 1]) <= 0.2 and delta[0, 2] == 0


@pytest.mark.parametrize("apply_z", [True, False])
def test_center_shift(make_cloud, apply_z):
    cloud = make_cloud()
    out = apply("CenterShift", cloud, apply_z=apply_z)
    coord = out["coord"]
    np.testing.assert_allclose((coord.min(0) + coord.max(0))[:2] / 2, 0, atol=1e-6)
    if apply_z:
        assert abs(coord[:, 2].min()) < 1e-6
    else:
        np.testing.assert_array_equal(coord[:, 2], cloud["coord"][:, 2])
    assert coord.dtype == np.float32


def test_normalize_coord(make_cloud):
    out = build("NormalizeCoord")(make_cloud(), np.random.default_rng(0))
    np.testing.assert_allclose(out["coord"].mean(0), 0, atol=1e-6)
    assert np.linalg.norm(out["coord"], axis=1).max() == pytest.approx(1.0, abs=1e-6)


def test_elastic_distortion_is_small_and_smooth(make_cloud):
    cloud = make_cloud(2000)
    cloud["coord"][1] = cloud["coord"][0] + 0.001  # a near neighbour pair
    out = apply("ElasticDistortion", cloud, distortion_params=[[0.2, 0.05]], p=1.0)
    delta = out["coord"].astype(np.float64) - cloud["coord"]
    assert np.isfinite(delta).all() and np.abs(delta).max() > 0
    assert np.abs(delta).max() < 0.05 * 4  # blurred unit noise stays a few std
    assert np.abs(delta[0] - delta[1]).max() < 0.05 * 0.1  # 1 mm apart -> nearly the same warp
    unchanged = apply("ElasticDistortion", cloud, p=0.0)
    np.testing.assert_array_equal(unchanged["coord"], cloud["coord"])


def test_dropout_keeps_per_point_keys_aligned(make_cloud):
    cloud = with_ids(make_cloud())
    out = apply("RandomDropout", cloud, dropout_ratio=0.3, dropout_application_ratio=1.0)
    assert len(out["coord"]) == int(len(cloud["coord"]) * 0.7)
    assert len(np.unique(out["segment"])) == len(out["segment"])
    assert_aligned(out, cloud)
    skipped = apply("RandomDropout", cloud, dropout_application_ratio=0.0)
    assert len(skipped["coord"]) == len(cloud["coord"])


def test_dropout_keeps_labelled_points(make_cloud):
    cloud = with_ids(make_cloud())
    cloud["sampled_index"] = np.array([3, 50, 77])
    out = apply("RandomDropout", cloud, dropout_ratio=0.9, dropout_application_ratio=1.0)
    np.testing.assert_array_equal(out["segment"][out["sampled_index"]], [3, 50, 77])
    assert_aligned(out, cloud)
