"""3D detection data for the VoteNet head: SUN RGB-D frames (VoteNet layout) and ScanNet boxes from instances.

Box convention (every dataset here): ``gt_boxes`` (K, 7) float32 = centre x, y, z, FULL sizes dx, dy, dz,
heading (rad, counter-clockwise about +z; at heading 0 the dx side lies along +x); ``gt_classes`` (K,)
int64 index into the dataset's ``DETECTION_CLASS_NAMES``. Boxes are per-sample, not per-point keys.

VoteNet's ``<id>_bbox.npy`` rows are ``cx cy cz l/2 w/2 h/2 heading class`` with corners rotated by
``rotz(-heading)`` (its ``my_compute_box_3d``): sizes are doubled and the heading negated on load
(:func:`pointcept.utils.boxes.boxes_from_votenet`). The real frames confirm it: the points inside the
converted boxes are exactly VoteNet's vote mask. Box geometry (``box_corners``, ``points_in_boxes``) lives
in :mod:`pointcept.utils.boxes` and is re-exported here for its old import path.
"""

from __future__ import annotations

import os
from glob import glob
from typing import Any

import numpy as np

from pointcept.utils.boxes import box_corners, boxes_from_votenet, points_in_boxes
from pointcept.utils.geometry import estimate_normals

from .builder import DATASETS
from .defaults import DefaultDataset, SceneDataError
from .detection_samples import DetectionSamples
from .meta.scannet import SCANNET_DETECTION_CLASS_NAMES, SCANNET_FIRST_DETECTION_LABEL
from .meta.sunrgbd import SUNRGBD_CLASS_NAMES
from .scannet import ScanNetDataset
from .validation import check_point_array

__all__ = [
    "SCANNET_DETECTION_CLASS_NAMES", "SUNRGBD_CLASS_NAMES", "ScanNetDetectionDataset", "SUNRGBDDataset",
    "box_corners", "boxes_from_instances", "points_in_boxes", "votenet_boxes",
]


def votenet_boxes(bbox: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(gt_boxes, gt_classes)`` from VoteNet ``(K, 8)`` rows (half sizes, clockwise heading, class)."""
    bbox = np.asarray(bbox, dtype=np.float64).reshape(-1, 8)
    return boxes_from_votenet(bbox[:, :7]).astype(np.float32), bbox[:, 7].astype(np.int64)


def boxes_from_instances(
    coord: np.ndarray, instance: np.ndarray, segment: np.ndarray,
    first_label: int = SCANNET_FIRST_DETECTION_LABEL, num_classes: int = len(SCANNET_DETECTION_CLASS_NAMES),
    min_points: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Axis-aligned boxes of the instances whose class is a detection class.

    An instance's class is the most common valid ``segment`` label of its points; it is kept when that
    label is in ``first_label .. first_label + num_classes - 1`` (ScanNet-20 minus wall and floor) and it
    has at least ``min_points`` points. Returns ``(gt_boxes (K, 7), gt_classes (K,), instance ids (K,))``.
    """
    coord = np.asarray(coord, dtype=np.float64)
    instance = np.asarray(instance).reshape(-1)
    segment = np.asarray(segment).reshape(-1)
    boxes, classes, ids = [], [], []
    for inst in np.unique(instance[instance >= 0]):
        mask = instance == inst
        labels = segment[mask]
        labels = labels[labels >= 0]
        if mask.sum() < min_points or labels.size == 0:
            continue
        label = int(np.bincount(labels).argmax())
        if not first_label <= label < first_label + num_classes:
            continue
        lo, hi = coord[mask].min(axis=0), coord[mask].max(axis=0)
        boxes.append(np.concatenate([(lo + hi) / 2, hi - lo, [0.0]]))
        classes.append(label - first_label)
        ids.append(int(inst))
    return (np.asarray(boxes, dtype=np.float32).reshape(-1, 7), np.asarray(classes, dtype=np.int64),
            np.asarray(ids, dtype=np.int64))


@DATASETS.register_module()
class ScanNetDetectionDataset(DetectionSamples, ScanNetDataset):
    """ScanNet scenes in the Pointcept layout plus ``gt_boxes``/``gt_classes`` derived from
    ``instance.npy`` and ``segment20.npy`` (axis-aligned: use axis-aligned scans). ``min_points``: the
    smallest instance that gets a box."""

    REQUIRED = ("coord", "segment", "instance")
    DETECTION_CLASS_NAMES = SCANNET_DETECTION_CLASS_NAMES

    def __init__(self, *args, min_points: int = 1, **kwargs):
        self.min_points = int(min_points)
        super().__init__(*args, **kwargs)

    def get_data(self, idx: int) -> dict[str, Any]:
        data = super().get_data(idx)
        data["gt_boxes"], data["gt_classes"], _ = boxes_from_instances(
            data["coord"], data["instance"], data["segment"], min_points=self.min_points
        )
        return data


@DATASETS.register_module()
class SUNRGBDDataset(DetectionSamples, DefaultDataset):
    """SUN RGB-D frames in VoteNet's preprocessed layout: ``<data_root>/<split>/<id>_pc.npz`` (``pc``:
    (N, 6) xyz + rgb 0-1, upright depth coordinates), ``<id>_bbox.npy`` and, when present,
    ``<id>_votes.npz`` (``point_votes`` (N, 10): in-box mask + three vote offsets to box centres).

    A sample has ``coord``, ``color`` (0-255), ``gt_boxes``, ``gt_classes`` and, with votes,
    ``point_votes`` (N, 9) float32 and ``point_votes_mask`` (N,) int64. ``require=("point_votes",)``
    makes a missing votes file an error.
    """

    CLASS_NAMES = SUNRGBD_CLASS_NAMES
    DETECTION_CLASS_NAMES = SUNRGBD_CLASS_NAMES

    def get_data_list(self) -> list[str]:
        frames: list[str] = []
        for split in self.split_names():
            split_dir = os.path.join(self.data_root, split)
            if not os.path.isdir(split_dir):
                raise FileNotFoundError(f"{type(self).__name__}: split folder {split_dir!r} does not exist")
            frames += sorted(p[: -len("_pc.npz")] for p in glob(os.path.join(split_dir, "*_pc.npz")))
        return frames

    def load_scene(self, frame: str) -> dict[str, np.ndarray]:
        """Read and validate one frame (``frame`` is the path prefix ``<split dir>/<id>``)."""
        data: dict[str, np.ndarray] = {}
        pc = _load(f"{frame}_pc.npz", "pc")
        if pc.ndim != 2 or pc.shape[1] < 6 or len(pc) == 0 or not np.isfinite(pc).all():
            raise SceneDataError(f"{frame}_pc.npz: 'pc' must be finite (N, 6) xyz+rgb, got {pc.shape}")
        check_point_array("coord", pc[:, :3], f"{frame}_pc.npz ['pc'][:, :3]", coord_limit=self.coord_limit)
        rgb = pc[:, 3:6]
        outside = (rgb < 0) | (rgb > 1)
        if outside.any():  # VoteNet stores 0..1: 0..255 or corrupt values were clipped silently before
            rows = np.flatnonzero(outside.any(axis=1))
            raise SceneDataError(
                f"{frame}_pc.npz: 'pc' colours (columns 3-5) must be 0..1 (VoteNet layout): {len(rows)} "
                f"points outside, values {rgb[outside].min():g}..{rgb[outside].max():g}, "
                f"first at row {rows[0]}"
            )
        data["coord"] = pc[:, :3].astype(np.float32)
        data["color"] = (rgb * 255).astype(np.float32)
        if self.estimate_normals:  # oriented towards the camera, the origin of the upright depth frame
            data["normal"] = estimate_normals(data["coord"], viewpoint=np.zeros(3)).astype(np.float32)
        bbox = _load(f"{frame}_bbox.npy")
        if bbox.size and (bbox.ndim != 2 or bbox.shape[1] != 8):
            raise SceneDataError(f"{frame}_bbox.npy: expected (K, 8) rows, got {bbox.shape}")
        data["gt_boxes"], data["gt_classes"] = votenet_boxes(bbox)
        bad = (data["gt_classes"] < 0) | (data["gt_classes"] >= len(SUNRGBD_CLASS_NAMES))
        if bad.any() or not np.isfinite(data["gt_boxes"]).all():
            raise SceneDataError(f"{frame}_bbox.npy: class outside 0..9 or non-finite box values")
        if (data["gt_boxes"][:, 3:6] <= 0).any():
            raise SceneDataError(f"{frame}_bbox.npy: box sizes must be positive, got {bbox[:, 3:6].min()} (half size)")
        if os.path.isfile(f"{frame}_votes.npz"):
            votes = _load(f"{frame}_votes.npz", "point_votes")
            if votes.shape != (len(pc), 10):
                raise SceneDataError(
                    f"{frame}_votes.npz: 'point_votes' is {votes.shape}, expected ({len(pc)}, 10)"
                )
            data["point_votes"] = votes[:, 1:].astype(np.float32)
            data["point_votes_mask"] = (votes[:, 0] > 0).astype(np.int64)
        elif "point_votes" in self.require:
            raise SceneDataError(f"{frame}_votes.npz is missing (required: point_votes)")
        return data

    def get_data_name(self, idx: int) -> str:
        return os.path.basename(self.data_list[idx % len(self.data_list)])

    def get_data(self, idx: int) -> dict[str, Any]:
        frame = self.data_list[idx % len(self.data_list)]
        if self.cache and frame in self._cache:
            arrays = self._cache[frame]
        else:
            arrays = self.load_scene(frame)
            if self.cache:
                self._cache[frame] = arrays
        data: dict[str, Any] = {k: v.copy() for k, v in arrays.items()}
        point_keys = ("coord", "color", "normal", "point_votes", "point_votes_mask")
        data["index_valid_keys"] = [k for k in point_keys if k in data]
        data["name"] = self.get_data_name(idx)
        data["split"] = os.path.basename(os.path.dirname(frame))
        return data


def _load(path: str, key: str | None = None) -> np.ndarray:
    """One array of a .npy/.npz file; any failure is a :class:`SceneDataError` naming the file."""
    try:
        if key is None:
            return np.load(path)
        with np.load(path) as archive:
            return archive[key]
    except Exception as error:  # noqa: BLE001 - missing, truncated or wrong file: all named
        raise SceneDataError(f"cannot read {path}{f' [{key!r}]' if key else ''}: {error}") from error
