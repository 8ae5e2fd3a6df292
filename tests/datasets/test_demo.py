"""The procedural demo rooms: determinism, label consistency, boxes, superpoints, atomic writing, loading."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from pointcept.datasets import DATASETS, build_dataset
from pointcept.datasets import demo
from pointcept.datasets.demo import writer
from pointcept.datasets.demo import (
    DEMO_CLASS_NAMES,
    DEMO_THING_CLASSES,
    SCENE_KEYS,
    DemoDataset,
    generate_room,
    write_demo_dataset,
)

SEEDS = range(6)
STUFF = [c for c in range(len(DEMO_CLASS_NAMES)) if c not in DEMO_THING_CLASSES]


@pytest.fixture(scope="module")
def rooms() -> dict[int, dict[str, np.ndarray]]:
    return {seed: generate_room(seed) for seed in SEEDS}


def test_class_constants():
    assert 8 <= len(DEMO_CLASS_NAMES) <= 10 and len(set(DEMO_CLASS_NAMES)) == len(DEMO_CLASS_NAMES)
    assert DEMO_CLASS_NAMES[:2] == ("floor", "wall")
    assert set(DEMO_THING_CLASSES) == set(range(2, len(DEMO_CLASS_NAMES)))


def test_same_seed_same_room_other_seed_other_room(rooms):
    again = generate_room(3)
    assert set(again) == set(rooms[3])
    for key, array in again.items():
        assert array.dtype == rooms[3][key].dtype
        np.testing.assert_array_equal(array, rooms[3][key], err_msg=key)
    other = rooms[4]
    assert len(other["coord"]) != len(again["coord"]) or not np.array_equal(other["coord"], again["coord"])


def test_dtypes_shapes_and_ranges(rooms):
    for seed, room in rooms.items():
        n = len(room["coord"])
        assert 8_000 <= n <= 45_000, (seed, n)
        assert room["coord"].dtype == np.float32 and room["coord"].shape == (n, 3)
        assert room["color"].dtype == np.uint8 and room["color"].shape == (n, 3)
        assert room["normal"].dtype == np.float32 and room["normal"].shape == (n, 3)
        assert room["segment"].dtype == np.int16 and room["segment"].shape == (n,)
        assert room["instance"].dtype == np.int32 and room["instance"].shape == (n,)
        assert room["superpoint"].dtype == np.int32 and room["superpoint"].shape == (n,)
        assert np.isfinite(room["coord"]).all()
        assert room["segment"].min() >= -1 and room["segment"].max() < len(DEMO_CLASS_NAMES)
        floor_z = room["coord"][room["segment"] == 0, 2]
        assert np.abs(floor_z).max() < 0.03  # floor at z = 0 up to noise
        assert room["coord"][:, 2].min() > -0.03 and room["coord"][:, 2].max() < 3.05
        assert room["color"].std() > 10  # not a constant colour
        assert np.array_equal(np.unique(room["superpoint"]), np.arange(room["superpoint"].max() + 1))
    present = set(np.concatenate([r["segment"] for r in rooms.values()]).tolist())
    assert {0, 1} <= present and len(present & set(DEMO_THING_CLASSES)) >= 5


def test_normals_are_unit_and_face_outwards(rooms):
    for room in rooms.values():
        normal, segment, coord = room["normal"], room["segment"], room["coord"]
        np.testing.assert_allclose(np.linalg.norm(normal, axis=1), 1.0, atol=1e-5)
        np.testing.assert_allclose(normal[segment == 0], np.tile([0, 0, 1], ((segment == 0).sum(), 1)))
        wall = segment == 1
        centre = (coord[:, :2].max(0) + coord[:, :2].min(0)) / 2
        assert (np.einsum("ij,ij->i", normal[wall, :2], centre - coord[wall, :2]) > 0).all()


def test_instances_match_classes(rooms):
    for room in rooms.values():
        segment, instance, boxes = room["segment"].astype(int), room["instance"], room["boxes"]
        is_thing = np.isin(segment, DEMO_THING_CLASSES)
        assert (instance[is_thing] >= 0).all()
        assert (instance[~is_thing] == -1).all()  # floor, wall and unlabelled
        assert 4 <= len(boxes) <= 10
        assert np.array_equal(np.unique(instance[is_thing]), np.arange(len(boxes)))
        for k in range(len(boxes)):
            classes = np.unique(segment[instance == k])
            assert classes.tolist() == [int(boxes[k, 7])]


def test_boxes_contain_their_instance(rooms):
    for room in rooms.values():
        boxes = room["boxes"]
        assert boxes.dtype == np.float32 and boxes.shape[1] == 8
        assert (boxes[:, 3:6] > 0).all() and (np.abs(boxes[:, 6]) <= np.pi + 1e-6).all()
        assert np.isin(boxes[:, 7], DEMO_THING_CLASSES).all()
        for k, (cx, cy, cz, dx, dy, dz, heading, _) in enumerate(boxes):
            points = room["coord"][room["instance"] == k] - np.array([cx, cy, cz])
            c, s = np.cos(heading), np.sin(heading)
            local = points @ np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])  # world -> box frame
            inside = (np.abs(local) <= np.array([dx, dy, dz]) / 2 + 0.02).all(1)
            assert inside.mean() > 0.995, (k, inside.mean())
            # the box is tight: points reach near every side
            assert (np.abs(local).max(0) > np.array([dx, dy, dz]) / 2 - 0.1).all()


def test_superpoints_stay_inside_one_instance_and_class(rooms):
    for room in rooms.values():
        sp = room["superpoint"]
        for labels in (room["segment"].astype(np.int64), room["instance"].astype(np.int64)):
            pairs = np.unique(np.stack([sp, labels], 1), axis=0)
            assert len(pairs) == sp.max() + 1  # one label per superpoint
        # an over-segmentation: several segments per wall / object, not one per point
        assert 40 <= sp.max() + 1 <= len(sp) / 30


def scene_dirs(root, split):
    return sorted(os.listdir(root / split))


def test_write_is_resumable_and_keeps_existing_scenes(tmp_path):
    keep = tmp_path / "train" / "room_0001"
    keep.mkdir(parents=True)
    (keep / "marker.txt").write_text("mine")
    root = write_demo_dataset(tmp_path, num_train=2, num_val=1, seed=5)
    assert root == tmp_path
    assert scene_dirs(tmp_path, "train") == ["room_0000", "room_0001"]  # no hidden temp folders left
    assert scene_dirs(tmp_path, "val") == ["room_0000"]
    assert os.listdir(keep) == ["marker.txt"]
    scene = tmp_path / "train" / "room_0000"
    assert sorted(os.listdir(scene)) == sorted(f"{k}.npy" for k in (*SCENE_KEYS, "boxes"))
    expected = generate_room(demo.scene_seed(5, "train", 0))
    for key, array in expected.items():
        np.testing.assert_array_equal(np.load(scene / f"{key}.npy"), array)
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["class_names"] == list(DEMO_CLASS_NAMES) and meta["seed"] == 5
    assert meta["thing_classes"] == list(DEMO_THING_CLASSES) and meta["counts"] == {"train": 2, "val": 1}

    mtime = (scene / "coord.npy").stat().st_mtime_ns
    write_demo_dataset(tmp_path, num_train=2, num_val=1, seed=5)
    assert (scene / "coord.npy").stat().st_mtime_ns == mtime  # resumed: nothing rewritten
    with pytest.raises(ValueError, match="seed"):
        write_demo_dataset(tmp_path, num_train=2, num_val=1, seed=6)

    write_demo_dataset(tmp_path, num_train=2, num_val=1, seed=5, overwrite=True)
    assert "marker.txt" not in os.listdir(keep) and (keep / "coord.npy").is_file()
    assert scene_dirs(tmp_path, "train") == ["room_0000", "room_0001"]


def test_failed_write_leaves_no_scene_and_no_temp_folder(tmp_path, monkeypatch):
    calls = {"n": 0}
    real_save = np.save

    def failing_save(path, array):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real_save(path, array)

    monkeypatch.setattr(writer.np, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        write_demo_dataset(tmp_path, num_train=1, num_val=0)
    assert os.listdir(tmp_path / "train") == []


def test_demo_dataset_loads_a_written_scene(tmp_path):
    write_demo_dataset(tmp_path, num_train=1, num_val=1, seed=1)
    assert DATASETS.get("DemoDataset") is DemoDataset
    dataset = build_dataset(dict(type="DemoDataset", split="val", data_root=str(tmp_path)))
    assert isinstance(dataset, DemoDataset) and len(dataset) == 1
    assert tuple(dataset.CLASS_NAMES) == DEMO_CLASS_NAMES
    assert dataset.assets["superpoint"] == "superpoint"
    data = dataset.get_data(0)
    expected = generate_room(demo.scene_seed(1, "val", 0))
    n = len(expected["coord"])
    assert data["name"] == "room_0000" and data["split"] == "val"
    for key in SCENE_KEYS:
        assert len(data[key]) == n and key in data["index_valid_keys"]
    np.testing.assert_array_equal(data["superpoint"], expected["superpoint"])
    np.testing.assert_array_equal(data["segment"], expected["segment"].astype(np.int64))
    sample = dataset[0]
    assert sample["coord"].shape == (n, 3)


def test_cli_writes_and_reports(tmp_path, capsys):
    import importlib.util

    path = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "make_demo_data.py")
    spec = importlib.util.spec_from_file_location("make_demo_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--root", str(tmp_path), "--num-train", "1", "--num-val", "1", "--seed", "2"])
    out = capsys.readouterr().out
    assert "1 rooms written" in out and (tmp_path / "val" / "room_0000" / "superpoint.npy").is_file()
