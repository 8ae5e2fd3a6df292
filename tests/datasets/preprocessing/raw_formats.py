"""Tiny raw datasets written in each official format: a ScanNet scan, an S3DIS room, VoteNet SUN RGB-D frames.

Each writer also returns (or keeps) the truth, so tests check every output field against what was written.
Imported by the tests of this folder as ``raw_formats`` (pytest puts the folder on ``sys.path``).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

# ------------------------------------------------------------------------------------------------ ScanNet
TSV_ROWS = [  # id, raw_category, category, nyu40id (the columns the converter reads, plus category)
    (1, "wall", "wall", 1), (3, "floor", "floor", 2), (2, "chair", "chair", 5),
    (56, "trash can", "trash can", 39),
]
#: (object id, raw label, part of the scene) in aggregation order
OBJECTS = [(0, "wall", "wall"), (1, "floor", "floor_a"), (2, "chair", "chair"), (3, "trashcan", "bin"),
           (4, "mystery thing", "mystery")]
#: (name, origin, u axis, v axis, nu, nv): flat grids of 2 cm spacing making a small scene
PARTS = [
    ("floor_a", (0, 0, 0), (1, 0, 0), (0, 1, 0), 10, 6),
    ("floor_b", (0, 0.12, 0), (1, 0, 0), (0, 1, 0), 10, 5),  # unannotated segment
    ("wall", (0, 0, 0), (0, 1, 0), (0, 0, 1), 10, 8),
    ("chair", (0.05, 0.05, 0.4), (1, 0, 0), (0, 1, 0), 6, 6),
    ("bin", (0.15, 0.15, 0.3), (1, 0, 0), (0, 1, 0), 5, 5),
    ("mystery", (0.05, 0.15, 0.6), (1, 0, 0), (0, 1, 0), 4, 4),
]
ALIGN = np.array([[0, -1, 0, 1], [1, 0, 0, 2], [0, 0, 1, 3], [0, 0, 0, 1]], dtype=np.float64)


def grid_mesh(parts=PARTS, spacing: float = 0.02):
    """Vertices, colours, faces and the part index of every vertex."""
    verts, faces, part_of = [], [], []
    for p, (_, origin, u, v, nu, nv) in enumerate(parts):
        i, j = np.meshgrid(np.arange(nu), np.arange(nv), indexing="ij")
        pts = (np.asarray(origin, float) + spacing * (i.reshape(-1, 1) * np.asarray(u, float)
                                                       + j.reshape(-1, 1) * np.asarray(v, float)))
        idx = np.arange(nu * nv).reshape(nu, nv) + sum(len(x) for x in verts)
        a, b, c, d = idx[:-1, :-1].ravel(), idx[1:, :-1].ravel(), idx[1:, 1:].ravel(), idx[:-1, 1:].ravel()
        faces.append(np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)]))
        verts.append(pts)
        part_of += [p] * len(pts)
    vertices = np.concatenate(verts).astype(np.float32)
    colors = ((np.arange(len(vertices))[:, None] * np.array([7, 13, 29])) % 256).astype(np.uint8)
    return vertices, colors, np.concatenate(faces).astype(np.int32), np.asarray(part_of)


def write_ply(path: Path, vertices: np.ndarray, colors: np.ndarray, faces: np.ndarray | None) -> None:
    """Binary PLY like ScanNet's (x y z, red green blue alpha, triangles); ``faces=None``: no face element."""
    header = (
        "ply\nformat binary_little_endian 1.0\n"
        f"element vertex {len(vertices)}\nproperty float x\nproperty float y\nproperty float z\n"
        "property uchar red\nproperty uchar green\nproperty uchar blue\nproperty uchar alpha\n"
    )
    if faces is not None:
        header += f"element face {len(faces)}\nproperty list uchar int vertex_indices\n"
    header += "end_header\n"
    body = b"".join(struct.pack("<fffBBBB", *v, *c, 255) for v, c in zip(vertices.tolist(), colors.tolist()))
    faces = faces if faces is not None else np.zeros((0, 3), dtype=int)
    body += b"".join(struct.pack("<Biii", 3, *f) for f in faces.tolist())
    path.write_bytes(header.encode() + body)


class RawScan:
    """One scan written in the raw ScanNet layout, with the truth the converter must reproduce."""

    def __init__(self, root: Path, scan_id: str, test: bool = False, align: bool = True):
        self.id = scan_id
        self.dir = root / ("scans_test" if test else "scans") / scan_id
        self.dir.mkdir(parents=True)
        self.vertices, self.colors, self.faces, part = grid_mesh()
        names = [p[0] for p in PARTS]
        # segment ids as the official tool writes them: arbitrary large numbers, one per part
        self.segment_ids = np.asarray([1000 + 37 * k for k in range(len(PARTS))])[part]
        self.part_name = np.asarray(names)[part]
        write_ply(self.dir / f"{scan_id}_vh_clean_2.ply", self.vertices, self.colors, self.faces)
        self.segs_path = self.dir / f"{scan_id}_vh_clean_2.0.010000.segs.json"
        self.segs_path.write_text(json.dumps({"sceneId": scan_id, "segIndices": self.segment_ids.tolist()}))
        info = "sceneType = Test\n"
        if align:
            info += "axisAlignment = " + " ".join(f"{x:g}" for x in ALIGN.ravel()) + "\n"
        (self.dir / f"{scan_id}.txt").write_text(info)
        self.agg_path = self.dir / f"{scan_id}.aggregation.json"
        if not test:
            groups = [{"id": oid, "objectId": oid, "label": label,
                       "segments": sorted(set(self.segment_ids[self.part_name == part_name].tolist()))}
                      for oid, label, part_name in OBJECTS]
            self.agg_path.write_text(json.dumps({
                "sceneId": scan_id, "segGroups": groups, "segmentsFile": f"scannet.{self.segs_path.name}",
            }))

    def expected_instance(self) -> np.ndarray:
        out = np.full(len(self.vertices), -1)
        for oid, _, part_name in OBJECTS:
            out[self.part_name == part_name] = oid
        return out


def write_tsv(path: Path) -> Path:
    lines = ["id\traw_category\tcategory\tcount\tnyu40id\tnyu40class"]
    lines += [f"{i}\t{raw}\t{cat}\t10\t{nyu}\t{cat}" for i, raw, cat, nyu in TSV_ROWS]
    path.write_text("\n".join(lines) + "\n")
    return path


# ------------------------------------------------------------------------------------------------ S3DIS
#: (file stem, expected label, number of points)
S3DIS_OBJECTS = [("ceiling_1", 0, 60), ("floor_1", 1, 80), ("chair_1", 8, 40), ("chair_2", 8, 30),
                 ("stairs_1", 12, 25), ("clutter_1", 12, 20)]


def write_s3dis_room(root: Path, area: str, room: str, broken_line: bool = True, seed: int = 0) -> dict:
    """An ``Area/room/Annotations`` folder; returns the truth (points in sorted-file order)."""
    rng = np.random.default_rng(seed)
    ann = root / area / room / "Annotations"
    ann.mkdir(parents=True)
    truth = {"coord": [], "color": [], "segment": [], "instance": []}
    for index, (stem, label, n) in enumerate(sorted(S3DIS_OBJECTS)):
        xyz = np.round(rng.random((n, 3)) * 3 + index, 3)
        rgb = rng.integers(0, 256, (n, 3))
        lines = [f"{x:.3f} {y:.3f} {z:.3f} {r} {g} {b}" for (x, y, z), (r, g, b) in zip(xyz, rgb)]
        if broken_line and stem == "ceiling_1":
            lines.insert(10, "1.000 2.000 3.0\x100 10 20 30")  # the official release's kind of stray byte
        (ann / f"{stem}.txt").write_text("\n".join(lines) + "\n")
        truth["coord"].append(xyz)
        truth["color"].append(rgb)
        truth["segment"] += [label] * n
        truth["instance"] += [index] * n
    (root / area / room / f"{room}.txt").write_text("whole-room file, ignored\n")
    return {k: np.concatenate(v) if k in ("coord", "color") else np.asarray(v) for k, v in truth.items()}


# ------------------------------------------------------------------------------------------------ VoteNet
def write_votenet_frame(folder: Path, frame: str, boxes: np.ndarray, n: int = 600, seed: int = 0) -> dict:
    """A frame in VoteNet's layout; ``boxes`` rows are VoteNet's (cx cy cz l/2 w/2 h/2 heading class).

    Points: half inside the boxes (drawn in each box's own frame with VoteNet's rotation ``rotz(-heading)``),
    half scattered; the votes file marks in-box points and stores centre - point.
    """
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pts, inside_of = [], []
    per_box = n // 2 // max(len(boxes), 1) if len(boxes) else 0
    for k, (cx, cy, cz, half_l, half_w, half_h, heading, _) in enumerate(boxes):
        local = (rng.random((per_box, 3)) * 2 - 1) * 0.95 * np.array([half_l, half_w, half_h])
        c, s = np.cos(-heading), np.sin(-heading)
        rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
        pts.append(local @ rot.T + np.array([cx, cy, cz]))
        inside_of += [k] * per_box
    rest = n - len(inside_of)
    pts.append(rng.random((rest, 3)) * [1, 1, 0.2] + [20, 20, 5])  # far from every box
    inside_of += [-1] * rest
    xyz = np.concatenate(pts)
    pc = np.concatenate([xyz, rng.random((n, 3))], axis=1).astype(np.float32)
    np.savez_compressed(folder / f"{frame}_pc.npz", pc=pc)
    np.save(folder / f"{frame}_bbox.npy", np.asarray(boxes, dtype=np.float64).reshape(-1, 8))
    votes = np.zeros((n, 10))
    inside_of = np.asarray(inside_of)
    for k in range(len(boxes)):
        m = inside_of == k
        offset = np.asarray(boxes[k][:3]) - pc[m, :3]
        votes[m, 0] = 1
        votes[m, 1:4] = votes[m, 4:7] = votes[m, 7:10] = offset
    np.savez_compressed(folder / f"{frame}_votes.npz", point_votes=votes)
    return {"pc": pc, "inside_of": inside_of, "votes": votes}
