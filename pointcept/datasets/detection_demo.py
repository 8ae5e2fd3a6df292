"""Detection on the procedural demo rooms: the 7 furniture classes with the generator's oriented boxes.

``tools/make_demo_data.py`` writes ``boxes.npy`` (K, 8) per room: cx, cy, cz, dx, dy, dz, heading, demo
class id, in the datasets' box convention (full sizes, counter-clockwise heading). Detection class ``i`` is
demo class ``DEMO_THING_CLASSES[i]`` (chair .. lamp).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from pointcept.utils.boxes import check_boxes

from .builder import DATASETS
from .defaults import SceneDataError
from .demo import DemoDataset
from .detection_samples import DetectionSamples
from .meta.demo import DEMO_DETECTION_CLASS_NAMES, DEMO_THING_CLASSES

__all__ = ["DEMO_DETECTION_CLASS_NAMES", "DemoDetectionDataset", "load_box_file"]


def load_box_file(path: str, class_ids: tuple[int, ...] = DEMO_THING_CLASSES) -> tuple[np.ndarray, np.ndarray]:
    """``(gt_boxes (K, 7) float32, gt_classes (K,) int64)`` from a (K, 8) box file whose last column is a
    class id in ``class_ids`` (mapped to its position); every problem is a ``SceneDataError`` naming ``path``."""
    try:
        rows = np.load(path)
    except Exception as error:  # noqa: BLE001 - missing or unreadable: named either way
        raise SceneDataError(f"cannot read {path}: {error}") from error
    if rows.size == 0:
        return np.zeros((0, 7), np.float32), np.zeros(0, np.int64)
    if rows.ndim != 2 or rows.shape[1] != 8:
        raise SceneDataError(f"{path}: expected (K, 8) rows (cx cy cz dx dy dz heading class), got {rows.shape}")
    if not np.isfinite(rows).all():
        raise SceneDataError(f"{path}: non-finite box values")
    try:
        check_boxes(rows[:, :7], path)
    except ValueError as error:  # its message names the file, the box and its size
        raise SceneDataError(str(error)) from error
    lookup = {c: i for i, c in enumerate(class_ids)}
    unknown = sorted({int(c) for c in rows[:, 7]} - set(lookup))
    if unknown:
        raise SceneDataError(f"{path}: class ids {unknown} are not detection classes {list(class_ids)}")
    classes = np.array([lookup[int(c)] for c in rows[:, 7]], dtype=np.int64)
    return rows[:, :7].astype(np.float32), classes


@DATASETS.register_module()
class DemoDetectionDataset(DetectionSamples, DemoDataset):
    """Demo rooms with ``gt_boxes``/``gt_classes`` from ``boxes.npy`` (required)."""

    DETECTION_CLASS_NAMES = DEMO_DETECTION_CLASS_NAMES

    def get_data(self, idx: int) -> dict[str, Any]:
        data = super().get_data(idx)
        scene_dir = self.data_list[idx % len(self.data_list)]
        key = ("boxes", scene_dir)
        if self.cache and key in self._cache:
            boxes, classes = self._cache[key]
        else:
            boxes, classes = load_box_file(os.path.join(scene_dir, "boxes.npy"))
            if self.cache:
                self._cache[key] = (boxes, classes)
        data["gt_boxes"], data["gt_classes"] = boxes.copy(), classes.copy()
        return data
