"""Comparable semseg numbers: Pointcept's test-time augmentations and both absent-class definitions."""

import os

import numpy as np
import pytest

from pointcept.datasets.pipelines import semseg_test_cfg
from pointcept.evaluation.semseg import format_class_table, semseg_metrics
from pointcept.utils.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _signature(aug: list[dict]) -> tuple:
    rotation = next(t["angle"][0] for t in aug if t["type"] == "RandomRotateTargetAngle") if any(
        t["type"] == "RandomRotateTargetAngle" for t in aug) else None
    scale = next((t["scale"][0] for t in aug if t["type"] == "RandomScale"), 1.0)
    flip = any(t["type"] == "RandomFlip" for t in aug)
    return rotation, scale, flip


def test_default_test_time_augmentations_are_pointcepts_13():
    """Pointcept's ScanNet semseg test config: 4 rotations x scales (1, 0.95, 1.05), then a flip."""
    augs = semseg_test_cfg()["aug_transform"]
    expected = [(a, s, False) for s in (1.0, 0.95, 1.05) for a in (0, 1 / 2, 1, 3 / 2)] + [(None, 1.0, True)]
    assert [_signature(aug) for aug in augs] == expected


@pytest.mark.parametrize("name", ["scannet/semseg-spunet-v1m1-0-base.py", "scannet200/semseg-spunet-v1m1-0-base.py"])
def test_full_dataset_configs_vote_over_13_passes(name):
    cfg = Config.fromfile(os.path.join(ROOT, "configs", name))
    assert len(cfg.data.test.test_cfg.aug_transform) == 13


def test_absent_classes_skipped_or_counted_as_zero():
    # class 0: perfect; class 1: half right; class 2: absent everywhere; class 3: predicted, no ground truth
    intersection = np.array([10, 5, 0, 0])
    union = np.array([10, 10, 0, 4])
    target = np.array([10, 8, 0, 0])
    metrics = semseg_metrics(intersection, union, target)
    assert metrics["mIoU"] == pytest.approx((1 + 0.5 + 0) / 3)  # class 2 left out, class 3 counts 0
    assert metrics["mIoU_pointcept"] == pytest.approx((1 + 0.5 + 0 + 0) / 4)  # every class, absent = 0
    assert metrics["mAcc"] == pytest.approx((1 + 5 / 8) / 2)
    assert metrics["mAcc_pointcept"] == pytest.approx((1 + 5 / 8) / 4)
    assert "absent = 0" in format_class_table(metrics)
