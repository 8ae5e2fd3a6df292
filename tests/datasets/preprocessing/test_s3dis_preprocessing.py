"""S3DIS rooms -> Pointcept layout: every field, class mapping (stairs -> clutter), broken lines, failures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pointcept.datasets.preprocessing import s3dis
from pointcept.datasets.s3dis import S3DIS_CLASS_NAMES, S3DISDataset

from raw_formats import S3DIS_OBJECTS, write_s3dis_room

REPO = Path(__file__).resolve().parents[3]
OUTPUTS = {"coord", "color", "normal", "segment", "instance", "superpoint"}


def load(folder: Path) -> dict[str, np.ndarray]:
    return {p.stem: np.load(p) for p in folder.glob("*.npy")}


@pytest.mark.parametrize("workers", [1, 2])
def test_rooms_every_field(tmp_path, workers):
    raw = tmp_path / "raw"
    truth = {("Area_1", "office_1"): write_s3dis_room(raw, "Area_1", "office_1", seed=0),
             ("Area_5", "hallway_6"): write_s3dis_room(raw, "Area_5", "hallway_6", seed=1)}
    summary = s3dis.preprocess_s3dis(raw, tmp_path / "out", workers=workers, progress=False)
    assert sorted(summary.done) == ["Area_1/office_1", "Area_5/hallway_6"] and not summary.failed
    n = sum(count for _, _, count in S3DIS_OBJECTS)
    for (area, room), want in truth.items():
        out = load(tmp_path / "out" / area / room)
        assert set(out) == OUTPUTS
        dtypes = {"coord": np.float32, "color": np.uint8, "normal": np.float32, "segment": np.int16,
                  "instance": np.int32, "superpoint": np.int32}
        for name, dtype in dtypes.items():
            assert out[name].dtype == dtype and len(out[name]) == n, name
        np.testing.assert_allclose(out["coord"], want["coord"], atol=1e-6)
        np.testing.assert_array_equal(out["color"], want["color"])
        np.testing.assert_array_equal(out["segment"], want["segment"])
        np.testing.assert_array_equal(out["instance"], want["instance"])
        np.testing.assert_allclose(np.linalg.norm(out["normal"], axis=1), 1, atol=1e-5)
        superpoint = out["superpoint"]
        assert superpoint.min() == 0 and superpoint.max() + 1 == len(np.unique(superpoint))
        # stairs and clutter objects are clutter; chairs keep their two instances
        stems = sorted(stem for stem, _, _ in S3DIS_OBJECTS)  # instance id = index in sorted file order
        for stem in ("stairs_1", "clutter_1"):
            assert set(out["segment"][out["instance"] == stems.index(stem)].tolist()) == {
                S3DIS_CLASS_NAMES.index("clutter")}
        assert len(np.unique(out["instance"][out["segment"] == S3DIS_CLASS_NAMES.index("chair")])) == 2
        # the broken line is skipped with a warning naming file and line
        (warning,) = summary.warnings[f"{area}/{room}"]
        assert f"{area}/{room}/Annotations/ceiling_1.txt:11: skipped unreadable line" in warning
        assert "unknown class" not in warning
    # the output loads with the framework's dataset
    dataset = S3DISDataset(split="Area_5", data_root=str(tmp_path / "out"),
                           assets={"superpoint": "superpoint"})
    assert set(dataset.get_data(0)) >= {"coord", "color", "normal", "segment", "instance", "superpoint"}


def test_unknown_class_unreadable_file_and_resume(tmp_path):
    raw = tmp_path / "raw"
    write_s3dis_room(raw, "Area_1", "office_1", broken_line=False)
    write_s3dis_room(raw, "Area_1", "office_2", broken_line=False)
    write_s3dis_room(raw, "Area_2", "storage_1", broken_line=False)
    (raw / "Area_1" / "office_1" / "Annotations" / "lamp_1.txt").write_text("0 0 0 1 2 3\n0 0 1 1 2 3\n")
    garbage = raw / "Area_1" / "office_2" / "Annotations" / "table_1.txt"
    garbage.write_bytes(b"\x00\x01 not numbers\nstill not\n")
    (raw / "Area_2" / "storage_1" / "Annotations").rename(raw / "Area_2" / "storage_1" / "NotAnnotations")
    out = tmp_path / "out"
    summary = s3dis.preprocess_s3dis(raw, out, progress=False)
    assert summary.done == ["Area_1/office_1"]  # the room without Annotations/ is not a room
    assert "office_2/Annotations/table_1.txt: no readable" in summary.failed["Area_1/office_2"]
    warnings = summary.warnings["Area_1/office_1"]
    assert any("lamp_1.txt: unknown class 'lamp', labelled clutter" in w for w in warnings)
    assert not (out / "Area_1" / "office_2").exists()
    assert sorted(p.name for p in (out / "Area_1").iterdir()) == ["office_1"]
    again = s3dis.preprocess_s3dis(raw, out, areas=["Area_1"], progress=False)
    assert again.skipped == ["Area_1/office_1"] and list(again.failed) == ["Area_1/office_2"]


def test_read_object_file_limits_warnings(tmp_path):
    path = tmp_path / "wall_1.txt"
    lines = ["1 2 3 4 5 6"] * 3 + ["1 2 3"] * 8 + ["nan 2 3 4 5 6", "1 2 3 4 5 6"]
    path.write_text("\n".join(lines) + "\n")
    rows, messages = s3dis.read_object_file(path)
    assert rows.shape == (4, 6)
    assert len(messages) == s3dis.MAX_LINE_WARNINGS + 1
    assert messages[0].endswith("skipped unreadable line b'1 2 3'")
    assert f"{path}:4:" in messages[0] and "4 more unreadable lines skipped" in messages[-1]


def test_cli(tmp_path):
    raw = tmp_path / "raw"
    write_s3dis_room(raw, "Area_3", "lounge_1")
    cmd = [sys.executable, str(REPO / "tools" / "preprocess_s3dis.py"), str(raw), str(tmp_path / "out"),
           "--workers", "1", "--quiet", "--seg-min-verts", "5"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "done 1, skipped 0, failed 0" in result.stdout
    assert "Area_3/lounge_1: 255 points, 6 objects" in result.stdout
    assert "WARNING Area_3/lounge_1" in result.stdout and "ceiling_1.txt:11" in result.stdout
