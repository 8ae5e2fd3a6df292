"""Raw data that is wrong but readable (issue 12, part 4): each case fails or is listed with its reason.

ScanNet meshes with implausible vertices, PLY values that do not fit their type, S3DIS lines with colours
outside 0..255 or absurd coordinates, and scene folders that are empty or broken symlinks, which used to
vanish from the run without a summary line.
"""

from __future__ import annotations

import os
import struct

import numpy as np
import pytest

from pointcept.datasets.preprocessing import s3dis
from pointcept.datasets.preprocessing import scannet as sn
from pointcept.datasets.preprocessing.ply import PlyError, read_ply
from pointcept.datasets.preprocessing.runner import SceneResult, Summary, scene_dir_problem

from raw_formats import write_ply, write_s3dis_room


# ------------------------------------------------------------------------------------------------ ScanNet
@pytest.mark.parametrize("value", [1e30, 2.7e34])
def test_scannet_mesh_with_implausible_vertices_fails_naming_file_and_vertex(scannet_raw, tmp_path, value):
    raw, scans = scannet_raw(ids=("scene0000_00", "scene0001_00"))
    scan = scans["scene0001_00"]
    vertices = scan.vertices.copy()
    vertices[17, 2] = value  # finite in float32: the old finiteness check let it through
    write_ply(scan.dir / "scene0001_00_vh_clean_2.ply", vertices, scan.colors, scan.faces)
    summary = sn.preprocess_scannet(raw, tmp_path / "out", progress=False)
    assert summary.done == ["train/scene0000_00"]
    reason = summary.failed["train/scene0001_00"]
    assert "scene0001_00_vh_clean_2.ply vertices: 1 points have coordinates beyond ±10000 m" in reason
    assert f"values {value:g} at row 17" in reason
    again = sn.preprocess_scannet(raw, tmp_path / "out", progress=False, coord_limit=1e35)
    assert again.done == ["train/scene0001_00"]


def test_scannet_empty_folders_and_broken_symlinks_are_failed_with_reasons(scannet_raw, tmp_path):
    raw, _ = scannet_raw(ids=("scene0000_00",))
    (raw / "scans" / "scene0001_00").mkdir()  # an interrupted download
    os.symlink(tmp_path / "unmounted" / "scene0002_00", raw / "scans" / "scene0002_00")
    (raw / "scans" / "scene0003_00.zip").write_bytes(b"PK")  # a stray file is not a scan entry
    summary = sn.preprocess_scannet(raw, tmp_path / "out", progress=False)
    assert summary.done == ["train/scene0000_00"] and summary.exit_code == 1
    assert sorted(summary.failed) == ["train/scene0001_00", "train/scene0002_00"]
    assert "scene0001_00: empty folder" in summary.failed["train/scene0001_00"]
    assert "scene0002_00: broken symlink (target" in summary.failed["train/scene0002_00"]
    text = summary.text()
    assert text.startswith("done 1, skipped 0, failed 2")
    assert "FAILED train/scene0001_00: ScanDataError:" in text and "FAILED train/scene0002_00:" in text


# ------------------------------------------------------------------------------------------------ PLY
def ply_header(fmt: str, color_type: str, n: int) -> str:
    return (f"ply\nformat {fmt} 1.0\nelement vertex {n}\nproperty float x\nproperty float y\n"
            f"property float z\nproperty {color_type} red\nproperty {color_type} green\n"
            f"property {color_type} blue\nend_header\n")


def test_ply_ascii_value_outside_its_type_is_an_error_not_wrapped(tmp_path):
    path = tmp_path / "wrap.ply"
    path.write_text(ply_header("ascii", "uchar", 2) + "0 0 0 10 20 30\n1 1 1 300 20 30\n")
    with pytest.raises(PlyError, match=r"wrap\.ply: corrupt value 300 for uint8 property 'red' of element "
                                       r"'vertex' at row 1 \(allowed: whole numbers 0\.\.255\)"):
        read_ply(path)


def test_ply_colours_of_other_types(tmp_path):
    wide = tmp_path / "wide.ply"
    body = struct.pack("<fffHHH", 0, 0, 0, 10, 20, 30) + struct.pack("<fffHHH", 1, 1, 1, 1000, 0, 0)
    wide.write_bytes(ply_header("binary_little_endian", "ushort", 2).encode() + body)
    with pytest.raises(PlyError, match=r"wide\.ply: 1 vertex colours \(uint16\) are not whole numbers in "
                                       r"0\.\.255 .*\[1000\.0, 0\.0, 0\.0\] at vertex 1"):
        read_ply(wide)
    unit = tmp_path / "unit.ply"
    body = struct.pack("<ffffff", 0, 0, 0, 0.5, 1.0, 0.0) + struct.pack("<ffffff", 1, 1, 1, 0.2, 0.4, 0.6)
    unit.write_bytes(ply_header("binary_little_endian", "float", 2).encode() + body)
    np.testing.assert_array_equal(read_ply(unit)["colors"], [[128, 255, 0], [51, 102, 153]])


# ------------------------------------------------------------------------------------------------ S3DIS
@pytest.mark.parametrize("line,what", [
    ("1.000 2.000 3.000 300 20 30", "colour 300"),
    ("2.7e34 2.000 3.000 10 20 30", "coordinate 2.7e34"),
    ("1.000 2.000 3.000 -1 20 30", "colour -1"),
])
def test_s3dis_implausible_lines_fail_the_room_naming_file_and_line(tmp_path, line, what):
    raw = tmp_path / "raw"
    write_s3dis_room(raw, "Area_1", "office_1", broken_line=False)
    chair = raw / "Area_1" / "office_1" / "Annotations" / "chair_1.txt"
    chair.write_text(chair.read_text() + line + "\n")  # chair_1 has 40 points: this is line 41
    summary = s3dis.preprocess_s3dis(raw, tmp_path / "out", progress=False)
    reason = summary.failed["Area_1/office_1"]
    assert ("chair_1.txt:41: 1 line(s) with a colour outside 0..255 or a coordinate beyond ±10000 m"
            in reason), what
    assert reason.endswith(f"line 41 {line!r}")
    assert not (tmp_path / "out" / "Area_1" / "office_1").exists()


def test_s3dis_empty_broken_and_non_room_folders_are_listed(tmp_path):
    raw = tmp_path / "raw"
    write_s3dis_room(raw, "Area_1", "office_1", broken_line=False)
    (raw / "Area_1" / "office_2").mkdir()
    os.symlink(tmp_path / "elsewhere" / "office_3", raw / "Area_1" / "office_3")
    (raw / "Area_1" / "office_4" / "other").mkdir(parents=True)
    (raw / "Area_1" / "office_5").mkdir()
    os.symlink(tmp_path / "gone", raw / "Area_1" / "office_5" / "Annotations")
    (raw / "Area_6").mkdir()
    (raw / "Area_1" / "Area_1_alignmentAngle.txt").write_text("0\n")  # files are not rooms
    os.symlink(raw / "Area_1" / "Area_1_alignmentAngle.txt", raw / "Area_1" / "angle_link.txt")
    summary = s3dis.preprocess_s3dis(raw, tmp_path / "out", progress=False, segments=s3dis.SegmentParams(
        seg_min_verts=5))
    assert summary.done == ["Area_1/office_1"]
    assert sorted(summary.failed) == ["Area_1/office_2", "Area_1/office_3", "Area_1/office_5", "Area_6"]
    assert "office_2: empty folder" in summary.failed["Area_1/office_2"]
    assert "office_3: broken symlink (target" in summary.failed["Area_1/office_3"]
    assert "office_5/Annotations: broken symlink" in summary.failed["Area_1/office_5"]
    assert "Area_6: empty folder" in summary.failed["Area_6"]
    assert summary.skip_reasons == {"Area_1/office_4": "no Annotations/ folder (not an S3DIS room)"}
    text = summary.text()
    assert text.startswith("done 1, skipped 1, failed 4")
    assert "  SKIPPED Area_1/office_4: no Annotations/ folder (not an S3DIS room)" in text
    assert "FAILED Area_1/office_3: RoomDataError:" in text and "FAILED Area_6: RoomDataError:" in text
    only = s3dis.preprocess_s3dis(raw, tmp_path / "out", areas=["Area_6"], progress=False)
    assert list(only.failed) == ["Area_6"] and not only.done and not only.skipped


# ------------------------------------------------------------------------------------------------ runner
def test_summary_lists_unusual_skips_by_name_and_counts_routine_ones():
    summary = Summary()
    for key in ("a", "b"):
        summary.record(key, SceneResult("skipped", "exists"))
    summary.record("c", SceneResult("skipped", "no Annotations/ folder"))
    assert summary.text().splitlines() == [
        "done 0, skipped 3, failed 0", "  skipped: 2 exists, 1 no Annotations/ folder",
        "  SKIPPED c: no Annotations/ folder",
    ]


def test_scene_dir_problem(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("x")
    os.symlink(tmp_path / "nowhere", tmp_path / "broken")
    os.symlink(tmp_path / "full", tmp_path / "link")
    assert scene_dir_problem(tmp_path / "full") is None and scene_dir_problem(tmp_path / "link") is None
    assert scene_dir_problem(tmp_path / "empty").startswith("empty folder")
    assert scene_dir_problem(tmp_path / "file") == "not a folder"
    target = str(tmp_path / "nowhere")
    assert scene_dir_problem(tmp_path / "broken") == f"broken symlink (target {target!r} does not exist)"
