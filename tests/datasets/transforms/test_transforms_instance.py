"""Instance targets: ``instance`` stays aligned through every transform; InstanceParser renumbers, drops stuff
and computes centroids of the augmented cloud."""

from __future__ import annotations

import numpy as np
import pytest

from pointcept.datasets.demo import generate_room
from pointcept.datasets.pipelines import insseg_train_pipeline, insseg_val_pipeline
from pointcept.datasets.transforms import TRANSFORMS, Compose

#: registered transforms that are not cloud -> cloud (tested elsewhere), with the reason
NOT_CLOUD_TRANSFORMS = {
    "Collect": "builds the model input dict",
    "ContrastiveViewsGenerator": "makes two views (tests/datasets/transforms/test_transforms_views.py)",
    "Add": "needs keys to add; touches no point",
    "Update": "needs keys to set; touches no point",
}
#: arguments that make a transform act (defaults may skip it) or that it requires
ARGS = {
    "GridSample": [dict(grid_size=0.1), dict(grid_size=0.1, mode="test")],
    "SphereCrop": [
        dict(point_max=150),
        dict(point_max=150, mode="all"),
        dict(sample_rate=0.5, mode="center"),
    ],
    "RandomCrop": [dict(ratio=0.5), dict(ratio=0.3, axes="xyz")],
    "RandomDropout": [dict(dropout_ratio=0.3, dropout_application_ratio=1.0)],
    "RandomRotateTargetAngle": [dict(p=1.0)],
    "RandomRotate": [dict(p=1.0)],
    "ElasticDistortion": [dict(p=1.0)],
}


def tagged_cloud(make_cloud, n: int = 400) -> dict:
    cloud = make_cloud(n)
    cloud["segment"][:40] = 0  # some stuff for CropBoundary
    cloud["origin_index"] = np.arange(n)
    cloud["index_valid_keys"].append("origin_index")
    return cloud


def as_numpy(value):
    return value.numpy() if hasattr(value, "numpy") else np.asarray(value)


@pytest.mark.parametrize("name", sorted(set(TRANSFORMS.names()) - set(NOT_CLOUD_TRANSFORMS)))
def test_instance_ids_survive_every_transform(make_cloud, name):
    for args in ARGS.get(name, [{}]):
        for seed in range(3):
            cloud = tagged_cloud(make_cloud)
            original = {k: cloud[k].copy() for k in ("segment", "instance")}
            out = TRANSFORMS.build(dict(type=name, **args))(cloud, np.random.default_rng(seed))
            for part in out if isinstance(out, list) else [out]:
                index = as_numpy(part["origin_index"])
                assert len(index) == len(as_numpy(part["coord"])), name
                if name == "InstanceParser":
                    continue  # renumbers on purpose (checked below)
                np.testing.assert_array_equal(
                    as_numpy(part["instance"]), original["instance"][index], err_msg=name
                )
                np.testing.assert_array_equal(
                    as_numpy(part["segment"]), original["segment"][index], err_msg=name
                )


def test_instance_parser_renumbers_drops_stuff_and_splits_mixed_ids():
    coord = np.array(
        [[0, 0, 0], [2, 0, 0], [5, 5, 5], [1, 1, 1], [3, 3, 3], [9, 9, 9], [7, 7, 7]], np.float32
    )
    segment = np.array([2, 2, 0, 3, 4, 4, -1])
    instance = np.array([40, 40, 40, 7, 40, -1, 3])  # 40 spans chair (2), wall (0) and class 4
    data = dict(coord=coord, segment=segment, instance=instance)
    out = TRANSFORMS.build(dict(type="InstanceParser", segment_ignore_index=(-1, 0, 1)))(data, None)
    # pairs in ascending (id, class): (7, 3) -> 0, (40, 2) -> 1, (40, 4) -> 2
    assert out["instance"].tolist() == [1, 1, -1, 0, 2, -1, -1]
    np.testing.assert_allclose(out["instance_centroid"][:2], [[1, 0, 0], [1, 0, 0]])
    np.testing.assert_allclose(out["instance_centroid"][[2, 5, 6]], coord[[2, 5, 6]])  # zero offset targets
    np.testing.assert_allclose(out["bbox"][1], [1, 0, 0, 2, 0, 0, 0, 2])
    assert out["bbox"].shape == (3, 8) and out["bbox"][:, 7].tolist() == [3, 2, 4]
    assert out["instance_centroid"].dtype == np.float32 and "instance_centroid" in out["index_valid_keys"]


def test_instance_parser_names_the_sample_on_length_mismatch():
    data = dict(
        coord=np.zeros((3, 3)), segment=np.zeros(3, int), instance=np.zeros(2, int), name="scene0007_00"
    )
    with pytest.raises(ValueError, match="scene0007_00 has 3 coord, 3 segment and 2 instance"):
        TRANSFORMS.build(dict(type="InstanceParser"))(data, None)


def room_sample(seed: int = 0) -> tuple[dict, dict]:
    room = generate_room(seed, points_per_m2=120)
    n = len(room["coord"])
    data = {k: room[k].copy() for k in ("coord", "color", "normal", "segment", "instance")}
    data["origin_index"] = np.arange(n)
    data["index_valid_keys"] = ["coord", "color", "normal", "segment", "instance", "origin_index"]
    data["name"] = f"room{seed}"
    return data, room


def before_tensor(pipeline: list[dict]) -> Compose:
    return Compose([t for t in pipeline if t["type"] not in ("ToTensor", "Collect")])


@pytest.mark.parametrize("seed", range(3))
def test_training_pipeline_targets_are_those_of_the_augmented_cloud(seed):
    data, room = room_sample(seed)
    out = before_tensor(insseg_train_pipeline(0.05, point_max=6000))(data, np.random.default_rng(seed))
    index, instance, coord = out["origin_index"], out["instance"], out["coord"].astype(np.float64)
    thing = instance >= 0
    assert not np.isin(out["segment"][thing], (-1, 0, 1)).any()
    assert (thing == ((room["instance"][index] >= 0) & ~np.isin(room["segment"][index], (-1, 0, 1)))).all()
    ids = np.unique(instance[thing])
    np.testing.assert_array_equal(ids, np.arange(len(ids)))
    for i in ids:  # one source instance per id, centroid = mean of its sampled, augmented points
        assert len(np.unique(room["instance"][index[instance == i]])) == 1
        np.testing.assert_allclose(
            out["instance_centroid"][instance == i],
            coord[instance == i].mean(0)[None].repeat((instance == i).sum(), 0),
            atol=1e-4,
        )


def test_val_pipeline_keeps_original_labels_and_inverse():
    data, room = room_sample(1)
    sample = Compose(insseg_val_pipeline(0.05))(data, np.random.default_rng(0))
    assert {"origin_segment", "origin_instance", "inverse", "instance_centroid", "name"} <= set(sample)
    np.testing.assert_array_equal(sample["origin_instance"].numpy(), room["instance"])
    assert len(sample["inverse"]) == len(room["coord"]) and sample["origin_offset"].tolist() == [
        len(room["coord"])
    ]
