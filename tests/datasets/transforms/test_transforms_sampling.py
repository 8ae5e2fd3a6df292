"""Voxel sampling, crops and shuffling: one point per voxel, coverage in test mode, aligned per-point keys."""

from __future__ import annotations

import numpy as np
import pytest

from pointcept.datasets import DefaultDataset
from pointcept.datasets.transforms import TRANSFORMS, Compose, point_keys
from pointcept.datasets.transforms import sampling
from pointcept.datasets.transforms.sampling import fnv_hash, ravel_hash

GRID = 0.25


def build(name: str, **kwargs):
    return TRANSFORMS.build({"type": name, **kwargs})


def apply(name: str, data: dict, seed: int = 0, **kwargs):
    """Build ``name`` and run it on a shallow copy of ``data``."""
    return build(name, **kwargs)(dict(data), np.random.default_rng(seed))


def with_ids(cloud: dict) -> dict:
    cloud["segment"] = np.arange(len(cloud["coord"]), dtype=np.int64)
    return cloud


def assert_aligned(out: dict, original: dict) -> None:
    ids = out["segment"]
    for key in ("coord", "color", "normal", "instance"):
        np.testing.assert_array_equal(out[key], original[key][ids], err_msg=f"{key} out of step")


def voxels_of(coord: np.ndarray, grid: float = GRID) -> np.ndarray:
    return np.floor((coord.astype(np.float64) - coord.min(0)) / grid).astype(np.int64)


@pytest.mark.parametrize("hash_type", ["fnv", "ravel"])
def test_grid_sample_train_keeps_one_point_per_voxel(make_cloud, hash_type):
    cloud = with_ids(make_cloud(1000))
    out = build("GridSample", grid_size=GRID, hash_type=hash_type, return_inverse=True)(
        dict(cloud, index_valid_keys=list(cloud["index_valid_keys"])), np.random.default_rng(0)
    )
    assert_aligned(out, cloud)
    grid_in = voxels_of(cloud["coord"])
    # grid_coord is consistent with coord (relative to the input's minimum)
    assert out["grid_coord"].dtype == np.int64
    np.testing.assert_array_equal(out["grid_coord"], grid_in[out["segment"]])
    # at most one point per voxel, and every occupied voxel kept
    assert len(np.unique(out["grid_coord"], axis=0)) == len(out["coord"]) == len(np.unique(grid_in, axis=0))
    # inverse: every original point -> the sampled point of its voxel
    assert out["inverse"].shape == (len(cloud["coord"]),)
    np.testing.assert_array_equal(out["grid_coord"][out["inverse"]], grid_in)
    assert "grid_coord" in out["index_valid_keys"] and "inverse" not in point_keys(out)


def test_grid_sample_picks_random_points(make_cloud):
    cloud = with_ids(make_cloud(1000))
    picks = [
        set(apply("GridSample", cloud, s, grid_size=GRID)["segment"].tolist())
        for s in range(3)
    ]
    assert picks[0] != picks[1] and picks[1] != picks[2]


def test_grid_sample_keeps_labelled_points(make_cloud):
    cloud = with_ids(make_cloud(1000))
    cloud["sampled_index"] = np.array([5, 6, 7, 500])
    out = apply("GridSample", cloud, grid_size=GRID, return_inverse=True)
    np.testing.assert_array_equal(out["segment"][out["sampled_index"]], [5, 6, 7, 500])
    assert_aligned(out, cloud)
    np.testing.assert_array_equal(out["grid_coord"][out["inverse"]], voxels_of(cloud["coord"]))


def test_hashes_give_the_same_voxels(make_cloud):
    grid = voxels_of(make_cloud(1000)["coord"])
    for hash_fn in (fnv_hash, ravel_hash):
        _, inverse_ref = np.unique(grid, axis=0, return_inverse=True)
        _, inverse = np.unique(hash_fn(grid), return_inverse=True)
        # same partition of the points: a bijection between the two labelings
        pairs = np.unique(np.stack([inverse_ref.reshape(-1), inverse]), axis=1)
        assert pairs.shape[1] == len(np.unique(inverse_ref)) == len(np.unique(inverse))


def test_fnv_is_fnv1a_64():
    # FNV-1a over the three 64-bit words, computed with Python integers
    coord = np.array([[1, 2, 3], [0, 0, 0], [7, 11, 13]])
    for row, key in zip(coord, fnv_hash(coord)):
        h = 14695981039346656037
        for value in row:
            h = ((h ^ int(value)) * 1099511628211) % 2**64
        assert int(key) == h


def test_hash_collisions_fall_back_to_exact_keys(make_cloud, monkeypatch):
    monkeypatch.setitem(sampling.HASHES, "fnv", lambda grid: np.zeros(len(grid), dtype=np.uint64))
    cloud = with_ids(make_cloud(500))
    out = apply("GridSample", cloud, grid_size=GRID)
    assert len(out["coord"]) == len(np.unique(voxels_of(cloud["coord"]), axis=0))


def test_grid_sample_test_mode_fragments_cover_everything(make_cloud):
    cloud = make_cloud(1000)
    parts = apply("GridSample", cloud, grid_size=GRID, mode="test", return_inverse=True)
    grid_in = voxels_of(cloud["coord"])
    _, voxel_id, counts = np.unique(grid_in, axis=0, return_inverse=True, return_counts=True)
    voxel_id = voxel_id.reshape(-1)
    assert isinstance(parts, list) and len(parts) == counts.max()
    by_voxel: dict[int, list[int]] = {}
    for part in parts:
        index = part["index"]
        # every fragment covers every voxel exactly once, in the same voxel order
        assert len(index) == len(counts) and len(np.unique(voxel_id[index])) == len(counts)
        np.testing.assert_array_equal(voxel_id[index], voxel_id[parts[0]["index"]])
        np.testing.assert_array_equal(part["grid_coord"], grid_in[index])
        np.testing.assert_array_equal(part["grid_coord"][part["inverse"]], grid_in)
        for key in ("coord", "color", "normal", "segment", "instance"):
            np.testing.assert_array_equal(part[key], cloud[key][index])
        assert {"index", "grid_coord"} <= set(part["index_valid_keys"])
        for i, v in zip(index, voxel_id[index]):
            by_voxel.setdefault(int(v), []).append(int(i))
    # fragment i holds point (i mod count) of each voxel: all of a voxel's points, then cycling
    for v, seq in by_voxel.items():
        c = counts[v]
        assert sorted(seq[:c]) == sorted(np.flatnonzero(voxel_id == v).tolist())
        assert all(seq[i] == seq[i % c] for i in range(len(seq)))
    assert set(np.concatenate([p["index"] for p in parts]).tolist()) == set(range(len(cloud["coord"])))
    # fragments are independent dicts
    parts[0]["index_valid_keys"].append("extra")
    assert "extra" not in parts[1]["index_valid_keys"] and "extra" not in cloud["index_valid_keys"]


def test_grid_sample_extras(make_cloud):
    cloud = make_cloud(500)
    out = build("GridSample", grid_size=GRID, return_min_coord=True, return_displacement=True)(
        dict(cloud), np.random.default_rng(0)
    )
    np.testing.assert_allclose(out["min_coord"], cloud["coord"].min(0, keepdims=True))
    recon = (out["grid_coord"] + 0.5 + out["displacement"]) * GRID + out["min_coord"]
    np.testing.assert_allclose(recon, out["coord"], atol=1e-5)
    assert np.abs(out["displacement"]).max() <= 0.5 + 1e-6
    projected = build("GridSample", grid_size=GRID, return_displacement=True, project_displacement=True)(
        dict(cloud), np.random.default_rng(0)
    )
    assert projected["displacement"].shape == (len(projected["coord"]), 1)


def test_copied_keys_are_not_resampled(make_cloud):
    cloud = make_cloud(1000)
    pipeline = Compose(
        [dict(type="Copy", keys_dict={"segment": "origin_segment"}), dict(type="GridSample", grid_size=GRID)]
    )
    out = pipeline(dict(cloud, index_valid_keys=list(cloud["index_valid_keys"])), np.random.default_rng(0))
    assert len(out["coord"]) < len(cloud["coord"])
    np.testing.assert_array_equal(out["origin_segment"], cloud["segment"])
    assert "origin_segment" not in out["index_valid_keys"]


@pytest.mark.parametrize("mode", ["random", "center"])
def test_sphere_crop_respects_point_max(make_cloud, mode):
    cloud = with_ids(make_cloud(1000))
    out = apply("SphereCrop", cloud, point_max=300, mode=mode)
    assert len(out["coord"]) == 300
    assert_aligned(out, cloud)
    if mode == "center":
        center = (cloud["coord"].min(0) + cloud["coord"].max(0)) / 2
        dist = np.linalg.norm(cloud["coord"] - center, axis=1)
        dropped = np.setdiff1d(np.arange(1000), out["segment"])
        assert dist[out["segment"]].max() <= dist[dropped].min()
    rate = apply("SphereCrop", cloud, sample_rate=0.25)
    assert len(rate["coord"]) == 250
    small = apply("SphereCrop", cloud, point_max=5000)
    assert len(small["coord"]) == 1000


def test_sphere_crop_all_covers_a_fragment(make_cloud):
    cloud = make_cloud(3000)
    parts = apply("GridSample", cloud, grid_size=0.05, mode="test")
    fragment = parts[0]
    crops = apply("SphereCrop", fragment, point_max=400, mode="all")
    assert isinstance(crops, list) and len(crops) > 1
    for crop in crops:
        assert len(crop["coord"]) <= 400
        np.testing.assert_array_equal(crop["coord"], cloud["coord"][crop["index"]])
        np.testing.assert_array_equal(crop["grid_coord"], voxels_of(cloud["coord"], 0.05)[crop["index"]])
        assert np.isin(crop["index"], fragment["index"]).all()
    covered = np.unique(np.concatenate([c["index"] for c in crops]))
    np.testing.assert_array_equal(covered, np.sort(fragment["index"]))
    whole = build("SphereCrop", point_max=10**6, mode="all")(make_cloud(100), np.random.default_rng(0))
    assert len(whole) == 1 and np.array_equal(whole[0]["index"], np.arange(100))


def test_random_crop_keeps_an_axis_aligned_box(make_cloud):
    cloud = with_ids(make_cloud(1000))
    out = apply("RandomCrop", cloud, ratio=0.3)
    assert len(out["coord"]) == 300
    assert_aligned(out, cloud)
    lo, hi = out["coord"][:, :2].min(0), out["coord"][:, :2].max(0)
    dropped = np.setdiff1d(np.arange(1000), out["segment"])
    inside = ((cloud["coord"][dropped, :2] > lo) & (cloud["coord"][dropped, :2] < hi)).all(1)
    assert not inside.any()
    ranged = apply("RandomCrop", cloud, ratio=(0.2, 0.4))
    assert 200 <= len(ranged["coord"]) <= 400
    with pytest.raises(ValueError):
        build("RandomCrop", ratio=1.5)


def test_shuffle_is_an_aligned_permutation(make_cloud):
    cloud = with_ids(make_cloud())
    out = apply("ShufflePoint", cloud)
    assert sorted(out["segment"].tolist()) == list(range(len(cloud["coord"])))
    assert not np.array_equal(out["segment"], cloud["segment"])
    assert_aligned(out, cloud)


def test_crop_boundary(make_cloud):
    cloud = make_cloud()
    out = apply("CropBoundary", cloud)
    assert not np.isin(out["segment"], [0, 1]).any()
    assert len(out["coord"]) == np.isin(cloud["segment"], [0, 1], invert=True).sum()


def test_default_dataset_test_mode_fragments(tmp_path, make_cloud):
    """The dataset's test path: voxelise, crop and format fragments whose indices cover the scene."""
    cloud = make_cloud(1500)
    scene = tmp_path / "val" / "scene0"
    scene.mkdir(parents=True)
    for key in ("coord", "color", "normal", "segment"):
        np.save(scene / f"{key}.npy", cloud[key])
    dataset = DefaultDataset(
        split="val",
        data_root=str(tmp_path),
        transform=[dict(type="CenterShift", apply_z=True), dict(type="NormalizeColor")],
        test_mode=True,
        test_cfg=dict(
            voxelize=dict(type="GridSample", grid_size=0.1, mode="test", return_grid_coord=True),
            crop=dict(type="SphereCrop", point_max=600, mode="all"),
            post_transform=[
                dict(type="CenterShift", apply_z=False),
                dict(type="ToTensor"),
                dict(type="Collect", keys=("coord", "grid_coord", "index"), feat_keys=("color", "normal")),
            ],
            aug_transform=[[dict(type="RandomFlip", p=1)], [dict(type="RandomScale", scale=[0.9, 1.1])]],
        ),
    )
    sample = dataset[0]
    np.testing.assert_array_equal(sample["segment"], cloud["segment"])
    fragments = sample["fragment_list"]
    assert len(fragments) >= 2
    covered = np.unique(np.concatenate([f["index"].numpy() for f in fragments]))
    np.testing.assert_array_equal(covered, np.arange(1500))
    for f in fragments:
        assert f["feat"].shape == (len(f["coord"]), 6) and f["offset"].tolist() == [len(f["coord"])]
        assert len(f["grid_coord"]) == len(f["index"]) <= 600
