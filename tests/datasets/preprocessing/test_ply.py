"""PLY reader: ascii and binary files written here, polygons, truncated and corrupt files."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from pointcept.datasets.preprocessing.ply import PlyError, read_ply

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
REAL_PLY = DATA / "scannet-raw" / "scans" / "scene0000_00" / "scene0000_00_vh_clean_2.ply"

VERTS = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0.5, 0.5, 1]], dtype=np.float32)
COLORS = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30], [1, 2, 3]], dtype=np.uint8)
FACES = [[0, 1, 2], [0, 2, 3], [0, 1, 4]]

HEADER = """ply
format {fmt} 1.0
comment written by test_ply
element vertex {nv}
property float x
property float y
property float z
property uchar red
property uchar green
property uchar blue
element face {nf}
property list uchar int vertex_indices
end_header
"""


def write_binary(path: Path, faces=FACES, order: str = "<", fmt: str = "binary_little_endian") -> Path:
    body = b"".join(struct.pack(order + "fffBBB", *v, *c) for v, c in zip(VERTS.tolist(), COLORS.tolist()))
    body += b"".join(struct.pack(order + "B" + "i" * len(f), len(f), *f) for f in faces)
    path.write_bytes(HEADER.format(fmt=fmt, nv=len(VERTS), nf=len(faces)).encode() + body)
    return path


def write_ascii(path: Path, faces=FACES) -> Path:
    lines = [" ".join(map(str, [*v, *c])) for v, c in zip(VERTS.tolist(), COLORS.tolist())]
    lines += [" ".join(map(str, [len(f), *f])) for f in faces]
    path.write_text(HEADER.format(fmt="ascii", nv=len(VERTS), nf=len(faces)) + "\n".join(lines) + "\n")
    return path


def check(mesh: dict, faces=FACES) -> None:
    np.testing.assert_array_equal(mesh["vertices"], VERTS)
    np.testing.assert_array_equal(mesh["colors"], COLORS)
    assert mesh["vertices"].dtype == np.float32 and mesh["faces"].dtype == np.int64
    np.testing.assert_array_equal(mesh["faces"], np.asarray(faces))


def test_ascii(tmp_path):
    check(read_ply(write_ascii(tmp_path / "a.ply")))


@pytest.mark.parametrize("order,fmt", [("<", "binary_little_endian"), (">", "binary_big_endian")])
def test_binary(tmp_path, order, fmt):
    mesh = read_ply(write_binary(tmp_path / "b.ply", order=order, fmt=fmt))
    check(mesh)
    assert set(mesh["elements"]["vertex"]) == {"x", "y", "z", "red", "green", "blue"}


@pytest.mark.parametrize("writer", [write_ascii, write_binary])
def test_polygons_are_fan_triangulated(tmp_path, writer):
    mesh = read_ply(writer(tmp_path / "q.ply", faces=[[0, 1, 2, 3], [0, 1, 4]]))
    np.testing.assert_array_equal(mesh["faces"], [[0, 1, 2], [0, 2, 3], [0, 1, 4]])


def test_point_cloud_without_faces(tmp_path):
    path = tmp_path / "p.ply"
    path.write_text("ply\nformat ascii 1.0\nelement vertex 2\nproperty double x\nproperty double y\n"
                    "property double z\nend_header\n1 2 3\n4 5 6\n")
    mesh = read_ply(path)
    np.testing.assert_array_equal(mesh["vertices"], [[1, 2, 3], [4, 5, 6]])
    assert mesh["faces"].shape == (0, 3) and "colors" not in mesh


def test_truncated_binary_names_the_file(tmp_path):
    path = write_binary(tmp_path / "cut.ply")
    path.write_bytes(path.read_bytes()[:-7])
    with pytest.raises(PlyError, match="cut.ply.*truncated"):
        read_ply(path)


def test_truncated_vertices(tmp_path):
    path = write_binary(tmp_path / "short.ply")
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"end_header\n") + 11 + 20])
    with pytest.raises(PlyError, match="short.ply"):
        read_ply(path)


def test_truncated_ascii(tmp_path):
    path = write_ascii(tmp_path / "cut.ply")
    path.write_text(path.read_text().rsplit("\n", 3)[0])
    with pytest.raises(PlyError, match="cut.ply.*truncated"):
        read_ply(path)


@pytest.mark.parametrize(
    "content,match",
    [
        (b"not a ply\n", "not a PLY"),
        (b"ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n", "no 'end_header'"),
        (b"ply\nformat weird 1.0\nend_header\n", "unsupported PLY format"),
        (b"ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\n"
         b"end_header\n1 2 abc\n", "corrupt value"),
    ],
)
def test_corrupt_headers_and_values(tmp_path, content, match):
    path = tmp_path / "bad.ply"
    path.write_bytes(content)
    with pytest.raises(PlyError, match=f"bad.ply.*{match}"):
        read_ply(path)


def test_face_index_out_of_range(tmp_path):
    with pytest.raises(PlyError, match="bad_index.ply.*outside"):
        read_ply(write_binary(tmp_path / "bad_index.ply", faces=[[0, 1, 9]]))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_ply(tmp_path / "nope.ply")


@pytest.mark.real_data
def test_real_scannet_mesh():
    if not REAL_PLY.is_file():
        pytest.skip(f"real data not found at {REAL_PLY}")
    mesh = read_ply(REAL_PLY)
    assert mesh["vertices"].shape == (81369, 3) and mesh["faces"].shape == (153587, 3)
    assert mesh["colors"].shape == (81369, 3) and mesh["faces"].max() == 81368
