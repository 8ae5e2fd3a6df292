"""Raw ScanNet v2 scans -> the Pointcept layout, with ScanNet-20 and ScanNet200 labels.

Input: ``<raw_root>/scans/<id>/`` (labelled) and ``<raw_root>/scans_test/<id>/`` (no labels), each with
``<id>_vh_clean_2.ply`` (coloured mesh), ``<id>_vh_clean_2.0.010000.segs.json`` (the official
over-segmentation), ``<id>.aggregation.json`` (or ``<id>_vh_clean.aggregation.json`` when its
``segmentsFile`` is the same segs file) and ``<id>.txt`` (``axisAlignment = `` 16 numbers, row-major).
Output ``<out_root>/<train|val|test>/<id>/``: ``coord`` float32, ``color`` uint8, ``normal`` float32
(mesh vertex normals), ``superpoint_official`` int32 (segs.json relabelled 0..S-1) and, for labelled
scans, ``segment20`` / ``segment200`` int16 (-1 ignore) and ``instance`` int32 (the aggregation's object
id, -1 none). Labels follow the ScanNet/Pointcept protocol: raw label -> ``nyu40id`` ->
``VALID_CLASS_IDS_20`` index, raw label -> ``id`` -> ``VALID_CLASS_IDS_200`` index, objects assigned in
file order (a later object wins a shared segment). Raw labels missing from the table are matched once more
ignoring case, spaces, ``_`` and ``-`` (the v1 release writes ``trashcan`` where the v2 table has
``trash can``); what stays unmatched is ignored and reported. Splits come from the official lists in
``pointcept/datasets/meta/splits``. A mesh with vertices beyond ``±coord_limit`` metres (1e4 by default: a
corrupt file writes values like 1e30) or colours outside 0..255 fails its scan, naming file and vertex;
a scan entry that is a broken symlink or an empty folder fails with that reason (listed in the summary).
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pointcept.datasets.meta.scannet import VALID_CLASS_IDS_20, VALID_CLASS_IDS_200
from pointcept.datasets.validation import COORD_LIMIT, check_point_array

from .ply import read_ply
from .runner import SceneResult, Summary, atomic_dir, remove_stale_temps, run_scenes, scene_dir_problem
from .segmentation import mesh_vertex_normals, relabel_consecutive

__all__ = [
    "LabelMap", "ScanNetParams", "convert_scan", "find_raw_scans", "load_split_lists", "preprocess_scannet",
    "read_aggregation", "read_axis_alignment", "read_segments",
]

SPLITS_DIR = Path(__file__).resolve().parents[1] / "meta" / "splits"
MESH_SUFFIX = "_vh_clean_2.ply"
SEGS_SUFFIX = "_vh_clean_2.0.010000.segs.json"
AGG_SUFFIXES = (".aggregation.json", "_vh_clean.aggregation.json")
IGNORE = -1


class ScanDataError(ValueError):
    """A raw scan file is missing, unreadable or inconsistent with the others (the message names it)."""


def _normalize(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


@dataclass
class LabelMap:
    """Raw category -> (NYU40 id, ScanNet200 id) from ``scannetv2-labels.combined.tsv``."""

    table: dict[str, tuple[int, int]]
    loose: dict[str, str] = field(default_factory=dict)  # normalised name -> table name (unambiguous only)

    @classmethod
    def from_tsv(cls, path: str | os.PathLike) -> "LabelMap":
        path = Path(path)
        try:
            with open(path, newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle, delimiter="\t"))
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise ScanDataError(f"{path}: cannot read the label table: {error}") from None
        if not rows or not {"raw_category", "id", "nyu40id"} <= set(rows[0]):
            raise ScanDataError(f"{path}: not a ScanNet label table (needs raw_category, id, nyu40id)")
        table: dict[str, tuple[int, int]] = {}
        for line, row in enumerate(rows, start=2):
            try:
                table[row["raw_category"]] = (int(row["nyu40id"] or 0), int(row["id"]))
            except (TypeError, ValueError):
                raise ScanDataError(f"{path}:{line}: bad id in row {row.get('raw_category')!r}") from None
        groups: dict[str, set] = {}
        for name, ids in table.items():
            groups.setdefault(_normalize(name), set()).add((name, ids))
        loose = {key: sorted(v)[0][0] for key, v in groups.items() if len({ids for _, ids in v}) == 1}
        return cls(table, loose)

    def lookup(self, raw: str) -> tuple[int, int, str | None]:
        """``(nyu40 id, ScanNet200 id, table name)``; ``(0, 0, None)`` when the label is unknown."""
        name = raw if raw in self.table else self.loose.get(_normalize(raw))
        if name is None:
            return 0, 0, None
        return (*self.table[name], name)


def read_segments(path: str | os.PathLike, n_vertices: int) -> np.ndarray:
    """``segIndices`` of a segs.json (int64), checked against the mesh's vertex count."""
    path = Path(path)
    try:
        seg = np.asarray(json.loads(path.read_text())["segIndices"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ScanDataError(f"{path}: cannot read segIndices: {type(error).__name__}: {error}") from None
    if seg.ndim != 1 or (seg.size and (seg.dtype.kind not in "iu" or seg.min() < 0)):
        raise ScanDataError(f"{path}: segIndices must be a list of non-negative integers")
    if len(seg) != n_vertices:
        raise ScanDataError(f"{path}: has {len(seg)} segIndices but the mesh has {n_vertices} vertices")
    return seg.astype(np.int64)


def read_aggregation(path: str | os.PathLike, segs_name: str | None = None) -> list[dict]:
    """Object groups (``id``, ``label``, ``segments``) of an aggregation.json, structure checked."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        groups = data["segGroups"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ScanDataError(f"{path}: cannot read segGroups: {type(error).__name__}: {error}") from None
    seg_file = data.get("segmentsFile")
    if segs_name and seg_file and not str(seg_file).endswith(segs_name):
        raise ScanDataError(f"{path}: refers to segments file {seg_file!r}, not {segs_name!r}")
    out = []
    for i, group in enumerate(groups):
        try:
            gid = int(group["id"] if "id" in group else group["objectId"])
            out.append({"id": gid, "label": str(group["label"]),
                        "segments": np.asarray(group["segments"], dtype=np.int64).reshape(-1)})
        except (KeyError, TypeError, ValueError) as error:
            message = f"{path}: segGroups[{i}] is malformed ({type(error).__name__}: {error})"
            raise ScanDataError(message) from None
    return out


def read_axis_alignment(path: str | os.PathLike) -> np.ndarray | None:
    """The 4x4 ``axisAlignment`` matrix of ``<id>.txt`` (row-major), or None when the line is absent."""
    path = Path(path)
    for line in path.read_text(errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "axisAlignment":
            try:
                matrix = np.asarray([float(v) for v in value.split()], dtype=np.float64)
                return matrix.reshape(4, 4)
            except ValueError:
                message = f"{path}: axisAlignment needs 16 numbers, got {value.strip()!r}"
                raise ScanDataError(message) from None
    return None


def scan_labels(
    seg: np.ndarray, groups: list[dict], label_map: LabelMap, agg_path: Path,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """segment20, segment200, instance per vertex and warnings about labels matched loosely or not at all."""
    known = np.zeros(int(seg.max()) + 1 if seg.size else 0, dtype=bool)
    known[seg] = True
    group_of_segment = np.full(len(known), -1, dtype=np.int64)
    s20 = np.full(len(groups) + 1, IGNORE, dtype=np.int16)  # last entry: no object
    s200 = np.full(len(groups) + 1, IGNORE, dtype=np.int16)
    ids = np.full(len(groups) + 1, IGNORE, dtype=np.int32)
    unknown: Counter = Counter()
    loose: Counter = Counter()
    for g, group in enumerate(groups):
        segments = group["segments"]
        bad = segments[(segments < 0) | (segments >= len(known))]
        bad = bad if bad.size else segments[~known[segments]]
        if bad.size:
            raise ScanDataError(
                f"{agg_path}: object {group['id']} ({group['label']!r}) names {bad.size} segment(s) not in "
                f"the segs file, e.g. {bad[:3].tolist()} (aggregation and segments of different meshes?)"
            )
        group_of_segment[segments] = g
        nyu40, id200, name = label_map.lookup(group["label"])
        if name is None:
            unknown[group["label"]] += 1
        elif name != group["label"]:
            loose[f"{group['label']!r}->{name!r}"] += 1
        s20[g] = VALID_CLASS_IDS_20.index(nyu40) if nyu40 in VALID_CLASS_IDS_20 else IGNORE
        s200[g] = VALID_CLASS_IDS_200.index(id200) if id200 in VALID_CLASS_IDS_200 else IGNORE
        ids[g] = group["id"]
    vertex_group = group_of_segment[seg]  # -1 indexes the "no object" entry
    warnings = []
    if loose:
        matched = ", ".join(f"{k} x{n}" for k, n in sorted(loose.items()))
        warnings.append(f"labels matched ignoring spacing: {matched}")
    if unknown:
        warnings.append("labels not in the label table (ignored): "
                        + ", ".join(f"{k!r} x{n}" for k, n in sorted(unknown.items())))
    return s20[vertex_group], s200[vertex_group], ids[vertex_group], warnings


def _aggregation_file(scene: Path, scan_id: str) -> Path:
    for suffix in AGG_SUFFIXES:
        if (scene / f"{scan_id}{suffix}").is_file():
            return scene / f"{scan_id}{suffix}"
    raise ScanDataError(f"{scene}: no {scan_id}{AGG_SUFFIXES[0]} (needed for the labels of a train/val scan)")


def convert_scan(
    scene_dir: str | os.PathLike, label_map: LabelMap | None, align: bool = False,
    coord_limit: float = COORD_LIMIT,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Arrays of one scan (see the module docstring) and warnings; ``label_map=None``: unlabelled scan."""
    scene = Path(scene_dir)
    scan_id = scene.name
    mesh_path = scene / f"{scan_id}{MESH_SUFFIX}"
    if not mesh_path.is_file():
        raise ScanDataError(f"{scene}: no mesh {mesh_path.name}")
    mesh = read_ply(mesh_path)
    if "colors" not in mesh:
        raise ScanDataError(f"{mesh_path}: the mesh has no red/green/blue vertex colours")
    vertices, faces = mesh["vertices"], mesh["faces"]
    if len(vertices) == 0 or not np.isfinite(vertices).all():
        raise ScanDataError(f"{mesh_path}: the mesh is empty or has non-finite vertices")
    check_point_array("coord", vertices, f"{mesh_path} vertices", coord_limit=coord_limit)
    if len(faces) == 0:
        raise ScanDataError(f"{mesh_path}: the mesh has no faces (vertex normals come from them)")
    out = {"coord": vertices.astype(np.float32), "color": mesh["colors"].astype(np.uint8),
           "normal": mesh_vertex_normals(vertices, faces)}
    warnings: list[str] = []
    if align:
        info = scene / f"{scan_id}.txt"
        matrix = read_axis_alignment(info) if info.is_file() else None
        if matrix is None:
            warnings.append(f"no axisAlignment in {info.name}: coordinates left as they are (identity)")
        else:
            rotation = matrix[:3, :3]
            out["coord"] = (vertices @ rotation.T + matrix[:3, 3]).astype(np.float32)
            out["normal"] = (out["normal"] @ rotation.T).astype(np.float32)
    segs_path = scene / f"{scan_id}{SEGS_SUFFIX}"
    if segs_path.is_file():
        seg = read_segments(segs_path, len(vertices))
        out["superpoint_official"] = relabel_consecutive(seg).astype(np.int32)
    elif label_map is not None:
        raise ScanDataError(f"{scene}: no segments file {segs_path.name}")
    else:
        warnings.append(f"no {segs_path.name}: superpoint_official.npy not written")
    if label_map is not None:
        agg_path = _aggregation_file(scene, scan_id)
        groups = read_aggregation(agg_path, segs_path.name)
        out["segment20"], out["segment200"], out["instance"], label_warnings = scan_labels(
            seg, groups, label_map, agg_path
        )
        warnings += label_warnings
    return out, warnings


def load_split_lists(folder: str | os.PathLike = SPLITS_DIR) -> dict[str, str]:
    """Scan id -> ``train``/``val``/``test`` from ``scannetv2_<split>.txt`` in ``folder``."""
    split_of: dict[str, str] = {}
    for split in ("train", "val", "test"):
        path = Path(folder) / f"scannetv2_{split}.txt"
        for name in path.read_text().split():
            split_of[name] = split
    return split_of


def find_raw_scans(raw_root: str | os.PathLike) -> list[tuple[Path, bool]]:
    """``(scan folder, labelled)`` for ``scans/*`` (labelled) and ``scans_test/*`` (not), sorted; broken
    symlinks are listed too (:func:`process_scan` fails them with the reason)."""
    root = Path(raw_root)
    if not (root / "scans").is_dir() and not (root / "scans_test").is_dir():
        raise FileNotFoundError(f"{root} has neither scans/ nor scans_test/ (the raw ScanNet layout)")
    # broken symlinks too: they fail with the reason instead of vanishing from the run (files are skipped)
    found = [(p, labelled) for folder, labelled in (("scans", True), ("scans_test", False))
             for p in sorted((root / folder).glob("scene*"))
             if p.is_dir() or (p.is_symlink() and not p.exists())]
    return found


@dataclass
class ScanNetParams:
    """Options of one run (all picklable: they travel to the worker processes)."""

    out_root: str
    label_map: LabelMap | None = None
    align: bool = False
    overwrite: bool = False
    coord_limit: float = COORD_LIMIT


def process_scan(task: tuple[str, str | None, bool], params: ScanNetParams) -> SceneResult:
    """Convert and atomically write one scan ``(folder, split, labelled)``; skip it when it is done."""
    scene_dir, split, labelled = task
    scene = Path(scene_dir)
    problem = scene_dir_problem(scene)
    if problem:
        raise ScanDataError(f"{scene}: {problem}")
    if split is None:
        raise ScanDataError(f"{scene.name} is in none of the official split lists (pass --unlisted-split)")
    target = Path(params.out_root) / split / scene.name
    if target.exists() and not params.overwrite:
        return SceneResult("skipped", "exists")
    remove_stale_temps(target.parent, scene.name)
    arrays, warnings = convert_scan(scene, params.label_map if labelled else None, params.align,
                                    params.coord_limit)
    with atomic_dir(target, overwrite=params.overwrite) as tmp:
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array)
    detail = f"{len(arrays['coord'])} points"
    if "superpoint_official" in arrays:
        detail += f", {int(arrays['superpoint_official'].max()) + 1} segments"
    if "instance" in arrays:
        detail += f", {len(np.unique(arrays['instance'][arrays['instance'] >= 0]))} objects"
    return SceneResult("done", detail, warnings)


def preprocess_scannet(
    raw_root: str | os.PathLike, out_root: str | os.PathLike, workers: int = 1,
    labels_tsv: str | os.PathLike | None = None, align: bool = False, overwrite: bool = False,
    split_lists: str | os.PathLike = SPLITS_DIR, unlisted_split: str | None = None,
    scenes: list[str] | None = None, progress: bool = True, coord_limit: float = COORD_LIMIT,
) -> Summary:
    """Convert every scan under ``raw_root`` (or only ``scenes``) into ``out_root``; see the module docstring.

    ``labels_tsv`` defaults to ``<raw_root>/scannetv2-labels.combined.tsv``; it is only needed when there
    are labelled scans. A scan in none of the split lists fails unless ``unlisted_split`` names a folder.
    """
    found = find_raw_scans(raw_root)
    if scenes:
        missing = sorted(set(scenes) - {p.name for p, _ in found})
        if missing:
            raise FileNotFoundError(f"scans not found under {raw_root}: {missing}")
        found = [(p, labelled) for p, labelled in found if p.name in set(scenes)]
    label_map = None
    if any(labelled for _, labelled in found):
        tsv = Path(labels_tsv) if labels_tsv else Path(raw_root) / "scannetv2-labels.combined.tsv"
        if not tsv.is_file():
            raise FileNotFoundError(f"label table {tsv} not found (pass labels_tsv / --labels-tsv)")
        label_map = LabelMap.from_tsv(tsv)
    split_of = load_split_lists(split_lists)
    items = {}
    for path, labelled in found:
        split = "test" if not labelled else split_of.get(path.name, unlisted_split)
        items[f"{split or 'unlisted'}/{path.name}"] = (str(path), split, labelled and split != "test")
    params = ScanNetParams(str(out_root), label_map, align, overwrite, coord_limit)
    return run_scenes(functools.partial(process_scan, params=params), items, workers, "scannet", progress)
