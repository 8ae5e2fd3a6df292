"""Raw ScanNet -> Pointcept layout: every field, label mapping, splits, alignment, corrupt inputs, resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pointcept.datasets.meta.scannet import (
    CLASS_NAMES_20, CLASS_NAMES_200, COMMON_CLASSES_200, HEAD_CLASSES_200, TAIL_CLASSES_200,
    VALID_CLASS_IDS_200,
)
from pointcept.datasets.preprocessing import scannet as sn
from pointcept.datasets.preprocessing.runner import remove_stale_temps

from raw_formats import ALIGN, PARTS

REPO = Path(__file__).resolve().parents[3]
OUTPUTS = {"coord", "color", "normal", "segment20", "segment200", "instance", "superpoint_official"}


def load(folder: Path) -> dict[str, np.ndarray]:
    return {p.stem: np.load(p) for p in folder.glob("*.npy")}


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_every_field_and_label_mapping(scannet_raw, tmp_path):
    raw, scans = scannet_raw(ids=("scene0000_00", "scene0568_00"), test_ids=("scene0707_00",))
    summary = sn.preprocess_scannet(raw, tmp_path / "out", workers=1, progress=False)
    assert sorted(summary.done) == ["test/scene0707_00", "train/scene0000_00", "val/scene0568_00"]
    assert not summary.failed and summary.exit_code == 0
    scan = scans["scene0000_00"]
    out = load(tmp_path / "out" / "train" / "scene0000_00")
    assert set(out) == OUTPUTS
    n = len(scan.vertices)
    assert n == sum(p[4] * p[5] for p in PARTS) == 267
    dtypes = {"coord": np.float32, "color": np.uint8, "normal": np.float32, "segment20": np.int16,
              "segment200": np.int16, "instance": np.int32, "superpoint_official": np.int32}
    for name, dtype in dtypes.items():
        assert out[name].dtype == dtype and len(out[name]) == n, name
    np.testing.assert_array_equal(out["coord"], scan.vertices)  # no --align: coordinates untouched
    np.testing.assert_array_equal(out["color"], scan.colors)
    # flat grids: floor-like parts face +z, the wall (spanned by y and z) faces +x
    is_wall = scan.part_name == "wall"
    np.testing.assert_allclose(out["normal"][~is_wall], np.tile([0, 0, 1], ((~is_wall).sum(), 1)), atol=1e-6)
    np.testing.assert_allclose(out["normal"][is_wall], np.tile([1, 0, 0], (is_wall.sum(), 1)), atol=1e-6)
    # official segments relabelled 0..S-1 in order of first appearance, same partition
    assert out["superpoint_official"].max() + 1 == len(PARTS)
    partition = np.unique(scan.segment_ids, return_inverse=True)[1]
    np.testing.assert_array_equal(out["superpoint_official"], partition)
    # labels: raw label -> nyu40 -> ScanNet-20 index, raw label -> id -> ScanNet200 index
    expect20 = {"wall": "wall", "floor_a": "floor", "chair": "chair", "bin": "otherfurniture"}
    expect200 = {"wall": "wall", "floor_a": "floor", "chair": "chair", "bin": "trash can"}
    for part in {p[0] for p in PARTS}:
        mask = scan.part_name == part
        want20 = CLASS_NAMES_20.index(expect20[part]) if part in expect20 else -1
        want200 = CLASS_NAMES_200.index(expect200[part]) if part in expect200 else -1
        assert set(out["segment20"][mask]) == {want20}, part
        assert set(out["segment200"][mask]) == {want200}, part
    np.testing.assert_array_equal(out["instance"], scan.expected_instance())
    assert (out["instance"][scan.part_name == "floor_b"] == -1).all()  # segment no object names
    # v1 spelling matched loosely, unknown label reported
    warnings = " ".join(summary.warnings["train/scene0000_00"])
    assert "'trashcan'->'trash can'" in warnings and "'mystery thing'" in warnings
    # the val scan lands in val/, the scans_test scan in test/ without labels
    assert set(load(tmp_path / "out" / "val" / "scene0568_00")) == OUTPUTS
    test_out = load(tmp_path / "out" / "test" / "scene0707_00")
    assert set(test_out) == {"coord", "color", "normal", "superpoint_official"}
    assert summary.details["test/scene0707_00"] == "267 points, 6 segments"


def test_axis_alignment(scannet_raw, tmp_path):
    raw, scans = scannet_raw()
    summary = sn.preprocess_scannet(raw, tmp_path / "out", align=True, progress=False)
    scan = scans["scene0000_00"]
    out = load(tmp_path / "out" / "train" / "scene0000_00")
    expected = scan.vertices @ ALIGN[:3, :3].T + ALIGN[:3, 3]
    np.testing.assert_allclose(out["coord"], expected, atol=1e-6)
    is_wall = scan.part_name == "wall"
    np.testing.assert_allclose(out["normal"][is_wall], np.tile([0, 1, 0], (is_wall.sum(), 1)), atol=1e-6)
    assert not any("axisAlignment" in w for w in summary.warnings.get("train/scene0000_00", []))
    assert sn.read_axis_alignment(scan.dir / "scene0000_00.txt").tolist() == ALIGN.tolist()


def test_align_without_matrix_is_identity_with_a_warning(scannet_raw, tmp_path):
    raw, scans = scannet_raw(align=False)
    summary = sn.preprocess_scannet(raw, tmp_path / "out", align=True, progress=False)
    out = load(tmp_path / "out" / "train" / "scene0000_00")
    np.testing.assert_array_equal(out["coord"], scans["scene0000_00"].vertices)
    assert any("no axisAlignment in scene0000_00.txt" in w for w in summary.warnings["train/scene0000_00"])


def corrupt_truncated_ply(scan) -> str:
    path = scan.dir / f"{scan.id}_vh_clean_2.ply"
    path.write_bytes(path.read_bytes()[:-100])
    return path.name


def corrupt_segs_length(scan) -> str:
    scan.segs_path.write_text(json.dumps({"segIndices": scan.segment_ids[:-5].tolist()}))
    return scan.segs_path.name


def corrupt_aggregation_segments(scan) -> str:
    data = json.loads(scan.agg_path.read_text())
    data["segGroups"][2]["segments"].append(987654)
    scan.agg_path.write_text(json.dumps(data))
    return scan.agg_path.name


@pytest.mark.parametrize("workers", [1, 2])
def test_corrupt_scans_fail_alone_naming_the_file(scannet_raw, tmp_path, workers):
    raw, scans = scannet_raw(ids=("scene0000_00", "scene0001_00", "scene0002_00", "scene0003_00"))
    bad = {
        "train/scene0001_00": (corrupt_truncated_ply(scans["scene0001_00"]), "truncated"),
        "train/scene0002_00": (corrupt_segs_length(scans["scene0002_00"]),
                               "262 segIndices but the mesh has 267"),
        "train/scene0003_00": (corrupt_aggregation_segments(scans["scene0003_00"]), "987654"),
    }
    out = tmp_path / "out"
    summary = sn.preprocess_scannet(raw, out, workers=workers, progress=False)
    assert summary.done == ["train/scene0000_00"] and summary.exit_code == 1
    assert set(summary.failed) == set(bad)
    for key, (file_name, words) in bad.items():
        assert file_name in summary.failed[key] and words in summary.failed[key], summary.failed[key]
        assert f"FAILED {key}: " in summary.text()
    # nothing half-written: no folder for the failed scans, no temp leftovers
    good = {"train", "train/scene0000_00"} | {f"train/scene0000_00/{name}.npy" for name in OUTPUTS}
    assert set(all_files(out)) == good


def test_unlisted_and_missing_inputs(scannet_raw, tmp_path):
    raw, scans = scannet_raw(ids=("scene9999_00", "scene0000_00"))
    (scans["scene0000_00"].agg_path).unlink()
    summary = sn.preprocess_scannet(raw, tmp_path / "out", progress=False)
    assert "none of the official split lists" in summary.failed["unlisted/scene9999_00"]
    assert "scene0000_00.aggregation.json" in summary.failed["train/scene0000_00"]
    again = sn.preprocess_scannet(raw, tmp_path / "out", unlisted_split="train", progress=False)
    assert again.done == ["train/scene9999_00"]
    with pytest.raises(FileNotFoundError, match="neither scans/ nor scans_test/"):
        sn.preprocess_scannet(tmp_path / "out", tmp_path / "x", progress=False)
    with pytest.raises(FileNotFoundError, match="scans not found .*scene0042_00"):
        sn.preprocess_scannet(raw, tmp_path / "x", scenes=["scene0042_00"], progress=False)
    with pytest.raises(FileNotFoundError, match="label table"):
        sn.preprocess_scannet(raw, tmp_path / "x", labels_tsv=tmp_path / "nope.tsv", progress=False)


def test_hi_res_aggregation_of_other_segments_is_refused(scannet_raw, tmp_path):
    raw, scans = scannet_raw()
    scan = scans["scene0000_00"]
    data = json.loads(scan.agg_path.read_text())
    data["segmentsFile"] = "scannet.scene0000_00_vh_clean.segs.json"
    scan.agg_path.unlink()
    (scan.dir / "scene0000_00_vh_clean.aggregation.json").write_text(json.dumps(data))
    summary = sn.preprocess_scannet(raw, tmp_path / "out", progress=False)
    assert "refers to segments file" in summary.failed["train/scene0000_00"]


def test_resumable_skip_overwrite_and_stale_temps(scannet_raw, tmp_path):
    raw, _ = scannet_raw(ids=("scene0000_00", "scene0568_00"))
    out = tmp_path / "out"
    first = sn.preprocess_scannet(raw, out, progress=False)
    assert len(first.done) == 2
    # a run killed mid-write leaves a temp folder named after its (now dead) process
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out / "train" / f".scene0000_00.{dead.pid}.abc123.tmp"
    stale.mkdir()
    (stale / "coord.npy").write_bytes(b"partial")
    mtimes = {f: (out / f).stat().st_mtime_ns for f in all_files(out) if ".tmp" not in f}
    again = sn.preprocess_scannet(raw, out, progress=False)
    assert again.done == [] and sorted(again.skipped) == ["train/scene0000_00", "val/scene0568_00"]
    assert "skipped: 2 exists" in again.text()
    assert {f: (out / f).stat().st_mtime_ns for f in all_files(out) if ".tmp" not in f} == mtimes
    over = sn.preprocess_scannet(raw, out, overwrite=True, scenes=["scene0000_00"], progress=False)
    assert over.done == ["train/scene0000_00"] and not stale.exists()
    assert not [f for f in all_files(out) if ".tmp" in f]
    # a temp folder of a live process (another run writing) is left alone
    live = out / "train" / f".scene0000_00.{os.getpid()}.xyz.tmp"
    live.mkdir()
    remove_stale_temps(out / "train", "scene0000_00")
    assert live.exists()


def test_label_table_errors(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\n1\t2\n")
    with pytest.raises(sn.ScanDataError, match="bad.tsv: not a ScanNet label table"):
        sn.LabelMap.from_tsv(bad)
    table = sn.LabelMap({"coat rack": (39, 1), "coatrack": (39, 1), "hand rail": (38, 2),
                         "handrail": (39, 3)})
    assert sn.LabelMap.from_tsv(_tsv(tmp_path, table.table)).lookup("Coat_Rack")[:2] == (39, 1)
    assert sn.LabelMap.from_tsv(_tsv(tmp_path, table.table)).lookup("hand-rail") == (0, 0, None)  # ambiguous


def _tsv(tmp_path: Path, table: dict) -> Path:
    path = tmp_path / "t.tsv"
    rows = ["id\traw_category\tnyu40id"] + [f"{i}\t{name}\t{nyu}" for name, (nyu, i) in table.items()]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_cli(scannet_raw, tmp_path):
    raw, scans = scannet_raw(ids=("scene0000_00", "scene0001_00"))
    corrupt_segs_length(scans["scene0001_00"])
    cmd = [sys.executable, str(REPO / "tools" / "preprocess_scannet.py"), str(raw), str(tmp_path / "out"),
           "--workers", "1", "--quiet", "--align"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "done 1, skipped 0, failed 1" in result.stdout
    assert "train/scene0000_00: 267 points, 6 segments, 5 objects" in result.stdout
    assert "FAILED train/scene0001_00" in result.stdout and "segs.json" in result.stdout


def test_official_split_lists():
    split_of = sn.load_split_lists()
    counts = {s: sum(1 for v in split_of.values() if v == s) for s in ("train", "val", "test")}
    assert counts == {"train": 1201, "val": 312, "test": 100}
    assert split_of["scene0000_00"] == "train" and split_of["scene0568_00"] == "val"
    assert split_of["scene0707_00"] == "test"


def test_scannet200_tables():
    groups = HEAD_CLASSES_200 + COMMON_CLASSES_200 + TAIL_CLASSES_200
    assert len(groups) == len(set(groups)) == len(CLASS_NAMES_200) == len(VALID_CLASS_IDS_200) == 200
    assert set(groups) == set(CLASS_NAMES_200)


def test_mesh_without_faces_fails(scannet_raw, tmp_path):
    from raw_formats import write_ply

    raw, scans = scannet_raw()
    scan = scans["scene0000_00"]
    write_ply(scan.dir / "scene0000_00_vh_clean_2.ply", scan.vertices, scan.colors, None)  # a point cloud
    summary = sn.preprocess_scannet(raw, tmp_path / "out", progress=False)
    assert "scene0000_00_vh_clean_2.ply: the mesh has no faces" in summary.failed["train/scene0000_00"]
