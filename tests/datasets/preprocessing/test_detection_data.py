"""Detection data: VoteNet box conversion, SUN RGB-D frames, ScanNet boxes from instances, the box picture."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pointcept.datasets.defaults import SceneDataError
from pointcept.datasets.detection import (
    SCANNET_DETECTION_CLASS_NAMES, SUNRGBD_CLASS_NAMES, ScanNetDetectionDataset, SUNRGBDDataset, box_corners,
    boxes_from_instances, points_in_boxes, votenet_boxes,
)
from pointcept.datasets.meta.scannet import CLASS_NAMES_20
from pointcept.datasets.preprocessing.scannet import preprocess_scannet

from raw_formats import write_votenet_frame

REPO = Path(__file__).resolve().parents[3]
#: VoteNet rows: cx cy cz l/2 w/2 h/2 heading class
BOXES = np.array([[1.0, 2.0, 0.5, 0.8, 0.3, 0.5, 0.6, 0], [-1.0, 0.5, 0.4, 0.25, 0.25, 0.4, -2.9, 3]])


def votenet_corners(row: np.ndarray) -> np.ndarray:
    """VoteNet's ``my_compute_box_3d``: corners (+-l, +-w, +-h) rotated by rotz(-heading)."""
    cx, cy, cz, half_l, half_w, half_h, heading = row[:7]
    c, s = np.cos(-heading), np.sin(-heading)
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    signs = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)])
    local = signs * [half_l, half_w, half_h]
    return local @ rot.T + [cx, cy, cz]


def test_votenet_conversion_matches_votenet_geometry():
    boxes, classes = votenet_boxes(BOXES)
    assert boxes.dtype == np.float32 and classes.dtype == np.int64 and classes.tolist() == [0, 3]
    np.testing.assert_allclose(boxes[:, 3:6], 2 * BOXES[:, 3:6], rtol=1e-6)  # half -> full sizes
    np.testing.assert_allclose(boxes[:, 6], [-0.6, 2.9], rtol=1e-6)  # clockwise -> counter-clockwise
    for ours, row in zip(box_corners(boxes), BOXES):
        want = votenet_corners(row)
        assert np.abs(np.sort(ours, axis=0) - np.sort(want, axis=0)).max() < 1e-5
    wrapped, _ = votenet_boxes(np.array([[0, 0, 0, 1, 1, 1, -3.5, 0]]))
    np.testing.assert_allclose(wrapped[0, 6], 3.5 - 2 * np.pi, rtol=1e-6)  # kept in [-pi, pi)


def test_heading_convention():
    """Heading 0: dx along +x; heading +90 degrees (counter-clockwise): dx along +y."""
    long_box = np.array([[0, 0, 0, 4, 1, 1, 0]], dtype=np.float32)
    assert points_in_boxes(np.array([[1.9, 0, 0], [0, 1.9, 0]]), long_box)[:, 0].tolist() == [True, False]
    long_box[0, 6] = np.pi / 2
    assert points_in_boxes(np.array([[1.9, 0, 0], [0, 1.9, 0]]), long_box)[:, 0].tolist() == [False, True]
    corners = box_corners(np.array([[0, 0, 0, 2, 1, 3, 0]]))[0]
    np.testing.assert_allclose(corners.min(axis=0), [-1, -0.5, -1.5])
    np.testing.assert_allclose(corners[:4, 2], -1.5)  # bottom face first


def test_sunrgbd_frames(tmp_path):
    root = tmp_path / "sunrgbd"
    truth = write_votenet_frame(root / "train", "000001", BOXES)
    write_votenet_frame(root / "train", "000002", np.zeros((0, 8)), seed=1)
    empty_votes = write_votenet_frame(root / "val", "000003", BOXES[:1], seed=2)
    (root / "val" / "000003_votes.npz").unlink()
    dataset = SUNRGBDDataset(split="train", data_root=str(root))
    assert len(dataset) == 2 and dataset.DETECTION_CLASS_NAMES == SUNRGBD_CLASS_NAMES
    sample = dataset[0]
    assert sample["name"] == "000001" and sample["split"] == "train"
    n = len(truth["pc"])
    assert sample["coord"].shape == (n, 3) and sample["coord"].dtype == np.float32
    np.testing.assert_allclose(sample["color"], truth["pc"][:, 3:6] * 255, rtol=1e-6)
    assert sample["color"].dtype == np.float32 and 0 <= sample["color"].min() and sample["color"].max() <= 255
    assert sample["gt_boxes"].shape == (2, 7) and sample["gt_classes"].tolist() == [0, 3]
    assert sample["point_votes"].shape == (n, 9) and sample["point_votes"].dtype == np.float32
    np.testing.assert_array_equal(sample["point_votes_mask"], (truth["inside_of"] >= 0).astype(np.int64))
    inside = points_in_boxes(sample["coord"], sample["gt_boxes"])
    np.testing.assert_array_equal(inside.any(axis=1), truth["inside_of"] >= 0)
    in_box = truth["inside_of"] >= 0
    np.testing.assert_array_equal(inside.argmax(axis=1)[in_box], truth["inside_of"][in_box])
    votes_to = sample["coord"][:, None, :] + sample["point_votes"].reshape(n, 3, 3)
    centres = sample["gt_boxes"][truth["inside_of"][in_box], :3]
    np.testing.assert_allclose(votes_to[in_box, 0], centres, atol=1e-5)
    assert "gt_boxes" not in sample["index_valid_keys"] and "point_votes" in sample["index_valid_keys"]
    assert dataset[1]["gt_boxes"].shape == (0, 7) and dataset[1]["gt_classes"].shape == (0,)
    val = SUNRGBDDataset(split="val", data_root=str(root))
    assert "point_votes" not in val[0] and len(empty_votes["pc"]) == len(val[0]["coord"])
    with pytest.raises(SceneDataError, match="000003_votes.npz is missing"):
        SUNRGBDDataset(split="val", data_root=str(root), require=("point_votes",))[0]


@pytest.mark.parametrize("bad, match", [
    (np.zeros((2, 7)), "000001_bbox.npy: expected \\(K, 8\\)"),
    (np.array([[0, 0, 0, 1, 1, 1, 0, 12.0]]), "000001_bbox.npy: class outside 0..9"),
])
def test_sunrgbd_bad_box_files(tmp_path, bad, match):
    write_votenet_frame(tmp_path / "train", "000001", BOXES)
    np.save(tmp_path / "train" / "000001_bbox.npy", bad)
    with pytest.raises(SceneDataError, match=match):
        SUNRGBDDataset(split="train", data_root=str(tmp_path))[0]


def test_sunrgbd_truncated_point_file(tmp_path):
    write_votenet_frame(tmp_path / "train", "000001", BOXES)
    path = tmp_path / "train" / "000001_pc.npz"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(SceneDataError, match="cannot read .*000001_pc.npz"):
        SUNRGBDDataset(split="train", data_root=str(tmp_path))[0]


def scannet_scene(folder: Path) -> dict:
    """wall, floor, two chairs, a table whose points are partly mislabelled, an unlabelled object."""
    rng = np.random.default_rng(0)
    parts = [  # (instance, segment20 label, low corner, high corner, points)
        (0, 0, (0, 0, 0), (0.1, 4, 3), 200), (1, 1, (0, 0, 0), (4, 4, 0.02), 300),
        (5, 4, (1, 1, 0), (1.5, 1.6, 1), 80), (6, 4, (2, 1, 0), (2.4, 1.5, 0.9), 60),
        (7, 6, (1, 2, 0), (3, 3, 0.8), 100), (9, -1, (3, 3, 0), (3.2, 3.2, 0.2), 30),
        (-1, -1, (0, 0, 2), (4, 4, 2.5), 40),
    ]
    coord, seg, inst = [], [], []
    for instance, label, lo, hi, n in parts:
        pts = rng.random((n, 3)) * (np.subtract(hi, lo)) + lo
        pts[:2], pts[2:4] = lo, hi  # the extremes are points, so the box is exact
        coord.append(pts)
        seg.append(np.full(n, label))
        inst.append(np.full(n, instance))
    seg[4][:10] = 5  # a few table points labelled sofa: the majority (table) wins
    folder.mkdir(parents=True)
    np.save(folder / "coord.npy", np.concatenate(coord).astype(np.float32))
    np.save(folder / "color.npy", np.full((len(np.concatenate(coord)), 3), 128, np.uint8))
    np.save(folder / "segment20.npy", np.concatenate(seg).astype(np.int16))
    np.save(folder / "instance.npy", np.concatenate(inst).astype(np.int32))
    return {p[0]: p for p in parts}


def test_scannet_boxes_from_instances(tmp_path):
    parts = scannet_scene(tmp_path / "val" / "scene0005_00")
    dataset = ScanNetDetectionDataset(split="val", data_root=str(tmp_path))
    assert dataset.DETECTION_CLASS_NAMES == SCANNET_DETECTION_CLASS_NAMES == tuple(CLASS_NAMES_20[2:])
    assert len(SCANNET_DETECTION_CLASS_NAMES) == 18
    sample = dataset[0]
    names = [SCANNET_DETECTION_CLASS_NAMES[c] for c in sample["gt_classes"]]
    assert names == ["chair", "chair", "table"]  # no wall, floor, unlabelled object, no-instance points
    assert sample["gt_boxes"].dtype == np.float32 and sample["gt_classes"].dtype == np.int64
    for box, instance in zip(sample["gt_boxes"], (5, 6, 7)):
        lo, hi = np.asarray(parts[instance][2], float), np.asarray(parts[instance][3], float)
        np.testing.assert_allclose(box, np.concatenate([(lo + hi) / 2, hi - lo, [0]]), atol=1e-6)
    assert "gt_boxes" not in sample["index_valid_keys"] and sample["color"].max() == 128
    few = ScanNetDetectionDataset(split="val", data_root=str(tmp_path), min_points=70)
    assert [SCANNET_DETECTION_CLASS_NAMES[c] for c in few[0]["gt_classes"]] == ["chair", "table"]
    _, _, ids = boxes_from_instances(np.zeros((0, 3)), np.zeros(0, int), np.zeros(0, int))
    assert ids.shape == (0,)
    (tmp_path / "val" / "scene0005_00" / "instance.npy").unlink()
    with pytest.raises(SceneDataError, match="instance.npy"):
        ScanNetDetectionDataset(split="val", data_root=str(tmp_path))[0]


def test_scannet_detection_on_preprocessed_raw_scan(scannet_raw, tmp_path):
    raw, _ = scannet_raw()
    preprocess_scannet(raw, tmp_path / "out", progress=False)
    sample = ScanNetDetectionDataset(split="train", data_root=str(tmp_path / "out"))[0]
    # objects: wall, floor (no box), chair, trash can (otherfurniture), an unknown label (no box)
    assert [SCANNET_DETECTION_CLASS_NAMES[c] for c in sample["gt_classes"]] == ["chair", "otherfurniture"]
    np.testing.assert_allclose(sample["gt_boxes"][0], [0.1, 0.1, 0.4, 0.1, 0.1, 0, 0], atol=1e-6)


def test_visualize_boxes_tool(tmp_path):
    scannet_scene(tmp_path / "data" / "val" / "scene0005_00")
    out = tmp_path / "boxes.png"
    cmd = [sys.executable, str(REPO / "tools" / "visualize_boxes.py"), "--dataset", "scannet",
           "--data-root", str(tmp_path / "data"), "--split", "val", "--out", str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "scene0005_00: 3 boxes: chair, chair, table" in result.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    missing = subprocess.run(cmd[:-2] + ["--scenes", "nope", "--out", str(out)], capture_output=True,
                             text=True, timeout=300)
    assert missing.returncode == 1 and "nope" in missing.stderr
