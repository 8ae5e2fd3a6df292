"""ContrastiveViewsGenerator: independent views, correct correspondences, segments shared by both views."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from pointcept.datasets.demo import generate_room
from pointcept.datasets.pipelines import groupcontrast_view_transforms
from pointcept.datasets.transforms import TRANSFORMS, Compose
from pointcept.datasets.transforms.views import ContrastiveViewsGenerator, match_views, shared_segments

RADIUS = 0.03
CROP_ONLY = [
    dict(type="GridSample", grid_size=0.02, hash_type="fnv", mode="train", return_grid_coord=True),
    dict(type="RandomCrop", ratio=0.6),
]


def room_sample(seed: int = 0) -> dict:
    """A small demo room as ``DefaultDataset.get_data`` + ``Copy(coord -> origin_coord)`` leave it."""
    room = generate_room(seed, points_per_m2=150.0, room_size=(3.0, 4.0))
    data = {
        "coord": room["coord"].astype(np.float32),
        "color": room["color"].astype(np.float32),
        "normal": room["normal"],
        "segment": room["segment"].astype(np.int64),
        "superpoint": room["superpoint"],
        "name": f"room{seed}",
        "index_valid_keys": ["coord", "color", "normal", "segment", "superpoint"],
    }
    data["origin_coord"] = data["coord"].copy()  # what Copy does: not declared per-point
    return data


def generate(seed: int = 0, view_trans_cfg=None, rng_seed: int = 0, **kwargs) -> tuple[dict, dict]:
    original = room_sample(seed)
    data = {k: (v.copy() if isinstance(v, np.ndarray) else list(v) if isinstance(v, list) else v)
            for k, v in original.items()}
    cfg = groupcontrast_view_transforms() if view_trans_cfg is None else view_trans_cfg
    generator = ContrastiveViewsGenerator(view_trans_cfg=cfg, match_radius=RADIUS, **kwargs)
    out = generator(data, np.random.default_rng(rng_seed))
    return out, original


@pytest.fixture(scope="module")
def table4_views() -> tuple[dict, dict]:
    return generate(0)


def test_registered_and_built_from_config():
    gen = TRANSFORMS.build(dict(type="ContrastiveViewsGenerator", view_trans_cfg=CROP_ONLY))
    assert isinstance(gen, ContrastiveViewsGenerator) and len(gen.view_trans) == 2


def test_views_independent_but_seeded(table4_views):
    out, _ = table4_views
    again, _ = generate(0)
    for key, value in out.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, again[key], err_msg=key)
    c1, c2 = out["view1_coord"], out["view2_coord"]
    assert len(c1) != len(c2) or not np.allclose(c1, c2)
    assert not np.array_equal(np.sort(out["view1_origin_index"]), np.sort(out["view2_origin_index"]))
    other, _ = generate(0, rng_seed=1)
    assert not np.array_equal(other["view1_origin_index"], out["view1_origin_index"])


def test_output_keys_and_removed_inputs(table4_views):
    out, _ = table4_views
    for view in ("view1", "view2"):
        n = len(out[f"{view}_coord"])
        for key in ("grid_coord", "color", "normal", "origin_coord", "origin_index", "superpoint", "overlap",
                    "segment"):
            assert len(out[f"{view}_{key}"]) == n, key
        assert out[f"{view}_segment"].dtype == np.int64 and out[f"{view}_overlap"].dtype == np.bool_
    assert out["match_index"].dtype == np.int64 and out["match_index"].shape[1] == 2
    assert out["match_offset"].tolist() == [len(out["match_index"])]
    assert out["num_segments"].shape == (1,) and out["num_segments"][0] > 0
    for key in ("coord", "color", "normal", "segment", "superpoint", "origin_coord", "origin_index"):
        assert key not in out
    assert out["name"] == "room0" and out["index_valid_keys"] == []


def test_matches_are_nearest_neighbours_within_radius(table4_views):
    out, _ = table4_views
    o1, o2 = out["view1_origin_coord"].astype(np.float64), out["view2_origin_coord"].astype(np.float64)
    i, j = out["match_index"].T
    dist = np.linalg.norm(o1[i] - o2[j], axis=1)
    assert len(i) > 0 and (dist <= RADIUS).all()
    nearest_dist, _ = cKDTree(o2).query(o1)
    np.testing.assert_allclose(dist, nearest_dist[i])  # nearest (ties may pick either point)
    # every view-1 point that can match does; the overlaps are the symmetric "partner within radius"
    np.testing.assert_array_equal(np.flatnonzero(nearest_dist <= RADIUS), i)
    np.testing.assert_array_equal(out["view1_overlap"], nearest_dist <= RADIUS)
    np.testing.assert_array_equal(out["view2_overlap"], cKDTree(o1).query(o2)[0] <= RADIUS)
    assert 0.05 < out["view1_overlap"].mean() < 0.95


def test_origin_index_bookkeeping():
    out, original = generate(1, view_trans_cfg=CROP_ONLY)
    for view in ("view1", "view2"):
        index = out[f"{view}_origin_index"]
        assert len(np.unique(index)) == len(index)
        for key in ("coord", "color", "normal", "superpoint"):
            np.testing.assert_array_equal(out[f"{view}_{key}"], original[key][index], err_msg=key)
        np.testing.assert_array_equal(out[f"{view}_origin_coord"], original["coord"][index])


def test_segments_shared_and_relabelled(table4_views):
    out, original = table4_views
    superpoint = original["superpoint"]
    sp1, sp2 = superpoint[out["view1_origin_index"]], superpoint[out["view2_origin_index"]]
    seg1, seg2, num = out["view1_segment"], out["view2_segment"], int(out["num_segments"][0])
    assert set(seg1[seg1 >= 0]) == set(seg2[seg2 >= 0]) == set(range(num))  # none appears in one view only
    assert (seg1[~out["view1_overlap"]] == -1).all() and (seg2[~out["view2_overlap"]] == -1).all()
    # relabelled id -> original superpoint is one-to-one and the same map in both views
    stacked = np.concatenate([np.stack([seg1, sp1], 1), np.stack([seg2, sp2], 1)])
    pairs = np.unique(stacked[stacked[:, 0] >= 0], axis=0)
    assert len(pairs) == num and len(np.unique(pairs[:, 1])) == num
    # every superpoint seen in both overlaps is kept (min_segment_points=1)
    both = np.intersect1d(sp1[out["view1_overlap"]], sp2[out["view2_overlap"]])
    np.testing.assert_array_equal(np.sort(pairs[:, 1]), both)
    # matched pairs of one superpoint carry one id
    i, j = out["match_index"].T
    same = sp1[i] == sp2[j]
    np.testing.assert_array_equal(seg1[i][same], seg2[j][same])


def test_min_segment_points_drops_small_segments():
    out, original = generate(0, min_segment_points=20)
    superpoint, counts, kept = original["superpoint"], [], []
    for view in ("view1", "view2"):
        sp = superpoint[out[f"{view}_origin_index"]]
        seg, overlap = out[f"{view}_segment"], out[f"{view}_overlap"]
        assert ((seg >= 0) <= overlap).all()
        counts.append(np.bincount(sp[overlap], minlength=superpoint.max() + 1))
        kept.append(np.unique(sp[seg >= 0]))
    expected = np.flatnonzero((counts[0] >= 20) & (counts[1] >= 20))
    np.testing.assert_array_equal(kept[0], expected)
    np.testing.assert_array_equal(kept[1], expected)
    full, _ = generate(0)
    assert 0 < int(out["num_segments"][0]) == len(expected) < int(full["num_segments"][0])


def test_identical_views_match_themselves():
    out, original = generate(2, view_trans_cfg=[dict(type="CenterShift", apply_z=True)])
    n = len(original["coord"])
    np.testing.assert_array_equal(out["match_index"], np.stack([np.arange(n), np.arange(n)], 1))
    assert out["view1_overlap"].all() and out["view2_overlap"].all()
    np.testing.assert_array_equal(out["view1_segment"], out["view2_segment"])
    relabelled = np.unique(original["superpoint"], return_inverse=True)[1]
    np.testing.assert_array_equal(out["view1_segment"], relabelled)
    assert int(out["num_segments"][0]) == len(np.unique(original["superpoint"]))


def test_grid_cells_consistent_across_views():
    out, _ = generate(0, cell_size=1.0, segment_key="grid_cell")
    cell = {v: np.floor(out[f"{v}_origin_coord"].astype(np.float64)).astype(np.int64)
            for v in ("view1", "view2")}
    ids = np.concatenate([out["view1_grid_cell"], out["view2_grid_cell"]])
    cubes = np.concatenate([cell["view1"], cell["view2"]])
    pairs = np.unique(np.column_stack([ids, cubes]), axis=0)
    assert len(pairs) == len(np.unique(ids)) == len(np.unique(cubes, axis=0))  # id <-> cube, both views
    seg1, seg2 = out["view1_segment"], out["view2_segment"]
    assert set(seg1[seg1 >= 0]) == set(seg2[seg2 >= 0]) == set(range(int(out["num_segments"][0])))
    i, j = out["match_index"].T
    same_cell = out["view1_grid_cell"][i] == out["view2_grid_cell"][j]
    np.testing.assert_array_equal(seg1[i][same_cell], seg2[j][same_cell])


def test_copy_origin_coord_equals_a_preceding_copy():
    with_copy = room_sample(4)
    without = {k: v for k, v in room_sample(4).items() if k != "origin_coord"}
    a = ContrastiveViewsGenerator(view_trans_cfg=CROP_ONLY)(with_copy, np.random.default_rng(0))
    generator = ContrastiveViewsGenerator(view_trans_cfg=CROP_ONLY, copy_origin_coord=True)
    b = generator(without, np.random.default_rng(0))
    assert a.keys() == b.keys()
    for key in ("view1_origin_coord", "view2_origin_index", "match_index", "view2_segment"):
        np.testing.assert_array_equal(a[key], b[key])


def test_errors():
    data = room_sample(0)
    del data["origin_coord"]
    with pytest.raises(KeyError, match="Copy"):
        ContrastiveViewsGenerator(view_trans_cfg=CROP_ONLY)(data, np.random.default_rng(0))
    with pytest.raises(ValueError, match="clash"):
        ContrastiveViewsGenerator(view_keys=("coord", "origin_coord", "segment"))
    with pytest.raises(ValueError, match="cell_size"):
        ContrastiveViewsGenerator(segment_key="grid_cell")
    data = room_sample(0)
    data["origin_coord"] = data["origin_coord"][:10]
    with pytest.raises(ValueError, match="per-point"):
        ContrastiveViewsGenerator()(data, np.random.default_rng(0))


def test_helpers_on_toy_input():
    o1 = np.array([[0, 0, 0], [1, 0, 0], [5, 0, 0]], float)
    o2 = np.array([[0.125, 0, 0], [0.25, 0, 0], [1.25, 0, 0], [9, 9, 9]], float)
    match, ov1, ov2 = match_views(o1, o2, 0.25)
    assert match.tolist() == [[0, 0], [1, 2]]  # radius inclusive
    assert ov1.tolist() == [True, True, False] and ov2.tolist() == [True, True, True, False]
    seg1, seg2, num = shared_segments(np.array([7, 3, 3]), np.array([7, -1, 3, 5]), ov1, ov2)
    assert num == 2 and seg1.tolist() == [1, 0, -1] and seg2.tolist() == [1, -1, 0, -1]
    empty = match_views(np.zeros((0, 3)), o2, 0.25)
    assert empty[0].shape == (0, 2) and not empty[2].any()


def kdtree_match_views(origin1, origin2, radius):
    """The generator's former cKDTree matcher, the reference the shared radius matcher must reproduce."""
    origin1, origin2 = np.asarray(origin1, np.float64), np.asarray(origin2, np.float64)
    bound = np.nextafter(float(radius), np.inf)
    dist12, nearest = cKDTree(origin2).query(origin1, k=1, distance_upper_bound=bound)
    dist21, _ = cKDTree(origin1).query(origin2, k=1, distance_upper_bound=bound)
    rows = np.flatnonzero(np.isfinite(dist12))
    return np.stack([rows, nearest[rows]], axis=1), np.isfinite(dist12), np.isfinite(dist21)


@pytest.mark.parametrize("radius", [0.03, 0.1])
def test_match_views_reproduces_the_kdtree_matcher(radius):
    rng = np.random.default_rng(7)
    o1 = rng.uniform(0, 2, (3000, 3)).astype(np.float32)
    o2 = np.concatenate([o1[:1500] + rng.normal(0, radius / 2, (1500, 3)), rng.uniform(0, 2, (1500, 3))])
    o2 = o2.astype(np.float32)
    got, want = match_views(o1, o2, radius), kdtree_match_views(o1, o2, radius)
    assert got[0].dtype == np.int64 and got[1].dtype == bool and got[2].dtype == bool
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    assert 500 < len(got[0]) < 3000 and 0 < got[2].sum() < 3000  # partial overlap both ways


def test_pipeline_compose_runs_with_rng_stream():
    data = room_sample(3)
    pipeline = Compose([dict(type="ContrastiveViewsGenerator", view_trans_cfg=CROP_ONLY)])
    out = pipeline(data, np.random.default_rng(5))
    assert "view1_grid_coord" in out and "view2_grid_coord" in out
