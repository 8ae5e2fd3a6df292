"""Detection inputs: bad box files and empty scenes fail naming the file; box counts survive collation;
the demo detection dataset and the mean-size tool."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from pointcept.datasets import build_dataset
from pointcept.datasets.collate import point_collate_fn
from pointcept.datasets.defaults import SceneDataError
from pointcept.datasets.detection import SUNRGBDDataset
from pointcept.datasets.detection_demo import DemoDetectionDataset
from pointcept.datasets.pipelines import detection_data

REPO = Path(__file__).resolve().parents[2]
#: VoteNet rows: cx cy cz l/2 w/2 h/2 heading class
ROWS = np.array([[1.0, 2.0, 0.5, 0.8, 0.3, 0.5, 0.6, 0], [-1.0, 0.5, 0.4, 0.25, 0.25, 0.4, -2.9, 3]])


def sunrgbd_frame(folder: Path, name: str = "000001", rows: np.ndarray = ROWS, points: int = 500) -> None:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    pc = np.c_[rng.uniform(-2, 2, (points, 3)), rng.random((points, 3))].astype(np.float32)
    np.savez(folder / f"{name}_pc.npz", pc=pc)
    np.save(folder / f"{name}_bbox.npy", rows)


def demo_room(folder: Path, boxes: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "coord.npy", rng.uniform(0, 3, (400, 3)).astype(np.float32))
    np.save(folder / "color.npy", np.full((400, 3), 100, np.uint8))
    np.save(folder / "normal.npy", np.tile(np.array([0, 0, 1.0], np.float32), (400, 1)))
    np.save(folder / "boxes.npy", boxes)


@pytest.mark.parametrize("rows, match", [
    (np.array([[0, 0, 0, 0.5, 0.0, 0.5, 0, 1]]), r"000001_bbox.npy: box sizes must be positive"),
    (np.array([[0, 0, 0, 0.5, 0.5, -0.5, 0, 1]]), r"000001_bbox.npy: box sizes must be positive"),
    (np.array([[0, 0, 0, 0.5, 0.5, 0.5, 0, 10]]), r"000001_bbox.npy: class outside 0..9"),
    (np.zeros((2, 9)), r"000001_bbox.npy: expected \(K, 8\)"),
])
def test_sunrgbd_bad_boxes_name_the_file(tmp_path, rows, match):
    sunrgbd_frame(tmp_path / "train", rows=rows)
    with pytest.raises(SceneDataError, match=match):
        SUNRGBDDataset(split="train", data_root=str(tmp_path))[0]


def test_sunrgbd_empty_frame_names_the_file(tmp_path):
    sunrgbd_frame(tmp_path / "train", points=0)
    with pytest.raises(SceneDataError, match=r"000001_pc.npz: 'pc' must be finite \(N, 6\)"):
        SUNRGBDDataset(split="train", data_root=str(tmp_path))[0]


def test_sunrgbd_normals_towards_the_camera(tmp_path):
    sunrgbd_frame(tmp_path / "train")
    sample = SUNRGBDDataset(split="train", data_root=str(tmp_path), estimate_normals=True).get_data(0)
    assert sample["normal"].shape == sample["coord"].shape and "normal" in sample["index_valid_keys"]
    assert ((sample["normal"] * -sample["coord"]).sum(1) >= -1e-6).all()  # facing the origin


@pytest.mark.parametrize("boxes, match", [
    (np.zeros((2, 7)), r"room_0000.boxes.npy: expected \(K, 8\) rows"),
    (np.array([[1, 1, 0.5, 0.5, 0.5, 0.0, 0, 2]]), r"room_0000.boxes.npy: box 0 has a non-positive size"),
    (np.array([[1, 1, 0.5, 0.5, 0.5, 1, 0, 2], [1, 1, 0.5, 0.5, 0.5, 1, 0, 0]]),
     r"room_0000.boxes.npy: class ids \[0\] are not detection classes"),
])
def test_demo_bad_boxes_name_the_file(tmp_path, boxes, match):
    demo_room(tmp_path / "train" / "room_0000", boxes)
    with pytest.raises(SceneDataError, match=match):
        DemoDetectionDataset(split="train", data_root=str(tmp_path))[0]


def test_demo_missing_box_file_and_empty_scene(tmp_path):
    demo_room(tmp_path / "train" / "room_0000", np.zeros((0, 8)))
    (tmp_path / "train" / "room_0000" / "boxes.npy").unlink()
    with pytest.raises(SceneDataError, match=r"cannot read .*room_0000.boxes.npy"):
        DemoDetectionDataset(split="train", data_root=str(tmp_path))[0]
    np.save(tmp_path / "train" / "room_0000" / "boxes.npy", np.zeros((0, 8)))
    for key in ("coord", "color", "normal"):
        np.save(tmp_path / "train" / "room_0000" / f"{key}.npy", np.zeros((0, 3), np.float32))
    with pytest.raises(SceneDataError, match=r"room_0000.coord.npy: the scene is empty"):
        DemoDetectionDataset(split="train", data_root=str(tmp_path))[0]


def test_box_counts_survive_collation(tmp_path):
    demo_room(tmp_path / "train" / "room_0000", np.array([[1, 1, 0.5, 0.5, 0.5, 1, 0.3, 2], [2, 2, 0.5, 1, 1, 1, 0, 8]]))
    demo_room(tmp_path / "train" / "room_0001", np.zeros((0, 8)))
    demo_room(tmp_path / "train" / "room_0002", np.array([[1, 2, 0.5, 0.5, 0.5, 1, 0, 3]]))
    cfg = detection_data("DemoDetectionDataset", str(tmp_path), 0.1, test_split="train", val_split="train")
    for split in ("train", "val"):
        dataset = build_dataset(cfg[split])
        batch = point_collate_fn([dataset[i] for i in range(3)])
        assert batch["gt_boxes_offset"].tolist() == [2, 2, 3]
        assert batch["gt_classes"].tolist() == [0, 6, 1]  # demo ids 2 (chair), 8 (lamp), 3 (table)
        assert batch["gt_boxes"].shape == (3, 7) and len(batch["offset"]) == 3
    assert batch["name"] == ["room_0000", "room_0001", "room_0002"] and "inverse" in batch


def test_compute_mean_sizes_tool(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("compute_mean_sizes", REPO / "tools" / "compute_mean_sizes.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    sunrgbd_frame(tmp_path / "train")
    assert tool.main(["--dataset", "sunrgbd", "--data-root", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    namespace: dict = {}
    exec(text, namespace)  # the printed snippet is valid config code
    means = np.array(namespace["mean_sizes"])
    assert means.shape == (10, 3)
    np.testing.assert_allclose(means[0], [1.6, 0.6, 1.0], atol=1e-4)  # bed: doubled half sizes
    np.testing.assert_allclose(means[3], [0.5, 0.5, 0.8], atol=1e-4)  # chair
    np.testing.assert_allclose(means[1], [1.05, 0.55, 0.9], atol=1e-4)  # no table: the mean of all boxes
    assert "table: no boxes: overall mean" in text
    sunrgbd_frame(tmp_path / "empty" / "train", rows=np.zeros((0, 8)))
    with pytest.raises(ValueError, match="no boxes at all"):
        tool.main(["--dataset", "sunrgbd", "--data-root", str(tmp_path / "empty")])
