"""ToTensor, Collect, Copy, Update and Add."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pointcept.datasets.transforms import TRANSFORMS, Compose


def build(name: str, **kwargs):
    return TRANSFORMS.build({"type": name, **kwargs})


def apply(name: str, data: dict, seed: int = 0, **kwargs):
    """Build ``name`` and run it on a shallow copy of ``data``."""
    return build(name, **kwargs)(dict(data), np.random.default_rng(seed))


def test_to_tensor_dtypes_and_recursion():
    data = {
        "f64": np.zeros((4, 3), dtype=np.float64),
        "f32": np.zeros(4, dtype=np.float32),
        "i32": np.arange(4, dtype=np.int32),
        "mask": np.ones(4, dtype=bool),
        "name": "scene0000_00",
        "keys": ["coord", "color"],
        "nested": {"a": np.arange(3), "b": [np.zeros(2)]},
        "count": 7,
        "scale": 0.5,
        "flipped": np.arange(5)[::-1],
        "labels": np.array(["wall", "floor"]),
    }
    out = build("ToTensor")(data, np.random.default_rng(0))
    assert out["f64"].dtype == torch.float32 and out["f32"].dtype == torch.float32
    assert out["i32"].dtype == torch.int64 and out["mask"].dtype == torch.bool
    assert out["name"] == "scene0000_00" and out["keys"] == ["coord", "color"]
    assert out["nested"]["a"].dtype == torch.int64 and out["nested"]["b"][0].dtype == torch.float32
    assert out["count"].tolist() == [7] and out["count"].dtype == torch.int64
    assert out["scale"].dtype == torch.float32
    assert out["flipped"].tolist() == [4, 3, 2, 1, 0]
    assert out["labels"] is data["labels"]
    with pytest.raises(TypeError, match="object"):
        build("ToTensor")({"bad": object()}, np.random.default_rng(0))


def test_collect_concatenates_features(make_cloud):
    cloud = build("ToTensor")(make_cloud(), np.random.default_rng(0))
    out = apply("Collect", cloud, keys=("coord", "segment"), feat_keys=("color", "normal"))
    assert set(out) == {"coord", "segment", "offset", "feat"}
    assert out["offset"].tolist() == [len(cloud["coord"])] and out["offset"].dtype == torch.int64
    torch.testing.assert_close(out["feat"], torch.cat([cloud["color"], cloud["normal"]], dim=1))
    assert out["coord"] is cloud["coord"]


def test_collect_other_concat_keys_and_offsets(make_cloud):
    cloud = make_cloud()  # numpy input works too
    cloud["strength"] = np.ones(len(cloud["coord"]), dtype=np.float32)
    collect = build(
        "Collect",
        keys="coord",
        offset_keys_dict={"offset": "coord", "origin_offset": "segment"},
        feat_keys=("coord", "strength"),
        aux_keys=("normal",),
    )
    out = collect(cloud, np.random.default_rng(0))
    assert out["feat"].shape == (len(cloud["coord"]), 4)
    assert out["aux"].shape == (len(cloud["coord"]), 3)
    assert out["origin_offset"].tolist() == [len(cloud["segment"])]


def test_collect_missing_keys_fail_with_names(make_cloud):
    cloud = make_cloud()
    with pytest.raises(KeyError, match=r"'strength'.*coord, color"):
        apply("Collect", cloud, keys=("coord",), feat_keys=("color", "strength"))
    with pytest.raises(KeyError, match="grid_coord"):
        apply("Collect", cloud, keys=("coord", "grid_coord"))
    with pytest.raises(TypeError, match="feat_key"):
        build("Collect", keys=("coord",), feat_key=("color",))


def test_copy_is_a_snapshot_outside_the_per_point_keys(make_cloud):
    cloud = make_cloud()
    out = apply("Copy", cloud, keys_dict={"segment": "origin_segment", "name": "origin_name"})
    assert out["origin_segment"] is not out["segment"]
    np.testing.assert_array_equal(out["origin_segment"], out["segment"])
    assert "origin_segment" not in out["index_valid_keys"] and out["origin_name"] == "synthetic"
    # a destination that was declared per-point is taken out of the list
    cloud = make_cloud()
    cloud["index_valid_keys"].append("origin_coord")
    out = apply("Copy", cloud)
    assert "origin_coord" not in out["index_valid_keys"] and "origin_segment" in out
    with pytest.raises(KeyError, match="strength"):
        build("Copy", keys_dict={"strength": "origin_strength"})(make_cloud(), np.random.default_rng(0))


def test_copy_without_declared_keys(make_cloud):
    cloud = make_cloud()
    del cloud["index_valid_keys"]
    original = cloud["coord"].copy()
    out = Compose([dict(type="Copy", keys_dict={"coord": "origin_index"}), dict(type="ShufflePoint")])(
        cloud, np.random.default_rng(0)
    )
    np.testing.assert_array_equal(out["origin_index"], original)  # "origin_index" is a default point key
    assert not np.array_equal(out["coord"], original)


@pytest.mark.parametrize("name", ["Update", "Add"])
def test_update_and_add_set_fresh_values(name, make_cloud):
    transform = build(name, keys_dict={"condition": "ScanNet", "tags": ["a"]})
    first = transform(make_cloud(), np.random.default_rng(0))
    first["tags"].append("b")
    second = transform(make_cloud(), np.random.default_rng(0))
    assert second["condition"] == "ScanNet" and second["tags"] == ["a"]
