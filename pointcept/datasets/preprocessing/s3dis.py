"""S3DIS ``Stanford3dDataset_v1.2`` rooms -> the Pointcept layout, with graph-cut segments.

Input: ``<raw_root>/Area_N/<room>/Annotations/<class>_<k>.txt``, one object per file, lines
``x y z r g b``. Output ``<out_root>/Area_N/<room>/``: ``coord`` float32, ``color`` uint8, ``normal``
float32 (estimated, :func:`point_cloud_normals`), ``segment`` int16 (13 classes, order of
``S3DIS_CLASS_NAMES``), ``instance`` int32 (object index in sorted file order, as Pointcept does) and
``superpoint`` int32 (point-cloud graph cut, :func:`segment_point_cloud`). ``stairs`` objects become
``clutter`` (the reference protocol: S3DIS has no stairs class); any other unknown class name becomes
``clutter`` with a warning. The official release has lines that do not parse (e.g. a stray byte in
``Area_5/hallway_6/Annotations/ceiling_1.txt``): they are skipped with a warning naming file and line.
Lines that parse but hold impossible values — a colour outside 0..255 or a coordinate beyond
``±coord_limit`` metres (1e4 by default) — fail the room, naming file and line: they are not clipped,
because such values mean the file's columns cannot be trusted (a merged or shifted column, another
format), and a clipped colour or coordinate would be silently wrong. A room folder that is a broken
symlink or empty fails with that reason; one without ``Annotations/`` is skipped with that reason (both
are listed in the summary).
"""

from __future__ import annotations

import functools
import io
import os
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pointcept.datasets.meta.s3dis import S3DIS_CLASS_NAMES
from pointcept.datasets.validation import COORD_LIMIT, POINT_FILE_SPECS

from . import segmentation as seg
from .add_segments import SegmentParams
from .runner import SceneResult, Summary, atomic_dir, remove_stale_temps, run_scenes, scene_dir_problem

__all__ = ["S3DISParams", "convert_room", "find_rooms", "preprocess_s3dis", "read_object_file"]

CLASS_TO_LABEL = {name: i for i, name in enumerate(S3DIS_CLASS_NAMES)}
#: names outside the 13 classes that the reference protocol folds into ``clutter`` without comment
QUIET_CLUTTER = ("stairs",)
MAX_LINE_WARNINGS = 5


class RoomDataError(ValueError):
    """An S3DIS room or annotation file that cannot be used (the message names it)."""


def _implausible(rows: np.ndarray, coord_limit: float) -> np.ndarray:
    """Per row: a coordinate beyond ``±coord_limit`` or a colour outside the ``color`` spec's 0..255."""
    color = POINT_FILE_SPECS["color"]
    return ((np.abs(rows[:, :3]) > coord_limit).any(axis=1)
            | ((rows[:, 3:6] < color.low) | (rows[:, 3:6] > color.high)).any(axis=1))


def read_object_file(
    path: str | os.PathLike, coord_limit: float = COORD_LIMIT,
) -> tuple[np.ndarray, list[str]]:
    """``(N, 6)`` float64 ``x y z r g b`` rows of one annotation file and warnings for skipped lines.

    The fast path parses the whole file at once; if that fails the file is read line by line and every
    line without exactly six finite numbers is skipped (reported as ``file:line``). A readable line with
    a colour outside 0..255 or a coordinate beyond ``±coord_limit`` m is a :class:`RoomDataError` naming
    the file and the lines (see the module docstring).
    """
    path = Path(path)
    raw = path.read_bytes()
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error")  # numpy warns (not raises) on an empty file
            rows = np.loadtxt(io.BytesIO(raw), dtype=np.float64, ndmin=2)
        if rows.shape[1] == 6 and np.isfinite(rows).all() and not _implausible(rows, coord_limit).any():
            return rows, []
    except (ValueError, UserWarning):
        pass
    rows, numbers, texts, bad = [], [], [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            values = [float(v) for v in line.split()]
        except ValueError:
            values = []
        if len(values) == 6 and all(np.isfinite(values)):
            rows.append(values)
            numbers.append(number)
            texts.append(line[:60])
        else:
            bad.append((number, line[:60]))
    messages = [f"{path}:{n}: skipped unreadable line {text!r}" for n, text in bad[:MAX_LINE_WARNINGS]]
    if len(bad) > MAX_LINE_WARNINGS:
        messages.append(f"{path}: {len(bad) - MAX_LINE_WARNINGS} more unreadable lines skipped")
    if not rows:
        raise RoomDataError(f"{path}: no readable 'x y z r g b' line")
    array = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
    implausible = np.flatnonzero(_implausible(array, coord_limit))
    if implausible.size:
        quoted = ", ".join(f"line {numbers[i]} {texts[i].decode(errors='replace')!r}"
                           for i in implausible[:MAX_LINE_WARNINGS])
        raise RoomDataError(
            f"{path}:{numbers[implausible[0]]}: {implausible.size} line(s) with a colour outside 0..255 or a "
            f"coordinate beyond ±{coord_limit:g} m (not clipped: the file's columns cannot be trusted): "
            f"{quoted}"
            + (", ..." if implausible.size > MAX_LINE_WARNINGS else "")
        )
    return array, messages


def convert_room(
    room_dir: str | os.PathLike, params: SegmentParams | None = None, coord_limit: float = COORD_LIMIT,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Arrays of one room (see the module docstring) and its warnings."""
    params = params or SegmentParams()
    problem = scene_dir_problem(room_dir)
    if problem:
        raise RoomDataError(f"{room_dir}: {problem}")
    files = sorted(Path(room_dir, "Annotations").glob("*.txt"))
    if not files:
        raise RoomDataError(f"{Path(room_dir, 'Annotations')}: no <class>_<k>.txt annotation files")
    parts, labels, instances, messages = [], [], [], []
    for index, path in enumerate(files):
        name = path.stem.rsplit("_", 1)[0]
        if name not in CLASS_TO_LABEL and name not in QUIET_CLUTTER:
            messages.append(f"{path}: unknown class {name!r}, labelled clutter")
        rows, file_messages = read_object_file(path, coord_limit)
        messages += file_messages
        parts.append(rows)
        labels.append(np.full(len(rows), CLASS_TO_LABEL.get(name, CLASS_TO_LABEL["clutter"]), np.int16))
        instances.append(np.full(len(rows), index, np.int32))
    points = np.concatenate(parts)
    coord = points[:, :3].astype(np.float32)
    normal = seg.point_cloud_normals(coord, k=params.normal_k, method=params.normal_method).astype(np.float32)
    color = np.rint(points[:, 3:6]).astype(np.uint8)  # read_object_file checked 0..255
    superpoint = seg.segment_point_cloud(
        coord, normal, k_neighbors=params.k_neighbors, k_thresh=params.k_thresh,
        seg_min_verts=params.seg_min_verts, color=color, color_weight=params.color_weight,
        backend=params.backend,
    )
    out = {
        "coord": coord,
        "color": color,
        "normal": normal,
        "segment": np.concatenate(labels),
        "instance": np.concatenate(instances),
        "superpoint": superpoint.astype(np.int32),
    }
    return out, messages


def find_rooms(raw_root: str | os.PathLike, areas: list[str] | None = None) -> list[Path]:
    """Room entries ``Area_N/<room>``, sorted: every folder (or broken symlink) in an area.

    Entries that are not rooms — a broken symlink, an empty folder, a folder without ``Annotations/`` —
    are listed too so that :func:`process_room` reports each one in the summary instead of dropping it.
    An ``Area_N`` that is itself a broken symlink or empty is listed as an entry of its own.
    """
    root = Path(raw_root)
    if not root.is_dir():
        raise FileNotFoundError(f"S3DIS root {root} is not a directory")
    rooms: list[Path] = []
    for area in sorted(root.glob("Area_*")):
        if (areas and area.name not in set(areas)) or not _folder_or_broken_link(area):
            continue
        if scene_dir_problem(area):
            rooms.append(area)
            continue
        rooms += sorted(p for p in area.iterdir() if _folder_or_broken_link(p))
    return rooms


def _folder_or_broken_link(path: Path) -> bool:
    """A folder, or a symlink whose target is gone (files, e.g. the room's ``<room>.txt``, are not rooms)."""
    return path.is_dir() or (path.is_symlink() and not path.exists())


def room_key(room: Path, raw_root: str | os.PathLike) -> str:
    """``Area_N/<room>`` (or ``Area_N`` for an unusable area entry): the room's name in the summary."""
    return room.relative_to(raw_root).as_posix()


@dataclass
class S3DISParams:
    """Options of one run (picklable)."""

    out_root: str
    overwrite: bool = False
    segments: SegmentParams = field(default_factory=SegmentParams)
    coord_limit: float = COORD_LIMIT


def process_room(room_dir: str, params: S3DISParams) -> SceneResult:
    """Convert and atomically write one room; skip it when its output folder exists or it has no
    ``Annotations/`` (not a room); fail it when it is a broken symlink or empty."""
    room = Path(room_dir)
    problem = scene_dir_problem(room)
    if problem:
        raise RoomDataError(f"{room}: {problem}")
    annotations = room / "Annotations"
    if not annotations.is_dir():
        if annotations.is_symlink():
            raise RoomDataError(f"{annotations}: {scene_dir_problem(annotations)}")
        return SceneResult("skipped", "no Annotations/ folder (not an S3DIS room)")
    target = Path(params.out_root) / room.parent.name / room.name
    if target.exists() and not params.overwrite:
        return SceneResult("skipped", "exists")
    remove_stale_temps(target.parent, room.name)
    arrays, messages = convert_room(room, params.segments, params.coord_limit)
    with atomic_dir(target, overwrite=params.overwrite) as tmp:
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array)
    detail = (f"{len(arrays['coord'])} points, {int(arrays['instance'].max()) + 1} objects, "
              f"{int(arrays['superpoint'].max()) + 1} segments")
    return SceneResult("done", detail, messages)


def preprocess_s3dis(
    raw_root: str | os.PathLike, out_root: str | os.PathLike, workers: int = 1,
    areas: list[str] | None = None, overwrite: bool = False, segments: SegmentParams | None = None,
    progress: bool = True, coord_limit: float = COORD_LIMIT,
) -> Summary:
    """Convert every room under ``raw_root`` (or only ``areas``) into ``out_root``."""
    rooms = find_rooms(raw_root, areas)
    params = S3DISParams(str(out_root), overwrite, segments or SegmentParams(), coord_limit)
    seg.get_backend(params.segments.backend)  # compile (or warn) once, before the workers start
    items = {room_key(r, raw_root): str(r) for r in rooms}
    return run_scenes(functools.partial(process_room, params=params), items, workers, "s3dis", progress)
