"""The pinned ``box_map`` on hand-made cases with known answers (box IoU and NMS: tests/utils/test_boxes.py)."""

import math

import numpy as np
import pytest

from pointcept.evaluation.detection import box_map, format_detection_table
from pointcept.utils.boxes import box_iou_3d

UNIT = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0]


def box(x=0.0, y=0.0, z=0.0, dx=1.0, dy=1.0, dz=1.0, heading=0.0):
    return np.array([[x, y, z, dx, dy, dz, heading]])


def iou(a, b) -> float:
    return float(box_iou_3d(a, b)[0, 0])


# ------------------------------------------------------------------------------------------ mAP
def scene(boxes, classes, scores=None):
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 7)
    classes = np.asarray(classes)
    return (boxes, classes, np.asarray(scores, dtype=float)) if scores is not None else (boxes, classes)


def test_perfect_predictions_give_one():
    gts = [scene([UNIT, [3, 0, 0, 1, 2, 1, 0.4]], [0, 1]), scene([[0, 3, 0, 2, 1, 1, 1.0]], [1])]
    preds = [(g[0], g[1], np.array([0.9, 0.8][: len(g[1])])) for g in gts]
    result = box_map(preds, gts, class_names=["a", "b"])
    assert set(result) == {"mAP@0.25", "mAP@0.5", "per_class"}
    assert result["mAP@0.25"] == result["mAP@0.5"] == 1.0
    assert result["per_class"] == {"a": {"AP@0.25": 1.0, "AP@0.5": 1.0}, "b": {"AP@0.25": 1.0, "AP@0.5": 1.0}}


def test_false_positive_ranked_first_halves_ap():
    gts = [scene([UNIT], [0])]
    preds = [scene([[5, 5, 0, 1, 1, 1, 0], UNIT], [0, 0], [0.9, 0.8])]
    # ranks: FP (precision 0), TP (recall 1, precision 1/2) -> area under the envelope = 1/2
    assert box_map(preds, gts)["mAP@0.25"] == pytest.approx(0.5)


def test_box_matched_twice_counts_once():
    gts = [scene([UNIT, [3, 0, 0, 1, 1, 1, 0]], [0, 0])]
    preds = [scene([UNIT, UNIT, [3, 0, 0, 1, 1, 1, 0]], [0, 0, 0], [0.9, 0.8, 0.7])]
    # TP, duplicate (FP), TP: recall 1/2 at precision 1, then 1 at precision 2/3
    assert box_map(preds, gts)["mAP@0.5"] == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)


def test_taken_box_does_not_fall_back_to_another():
    gts = [scene([UNIT, [1.2, 0, 0, 1, 1, 1, 0]], [0, 0])]
    wide = [0.5, 0, 0, 2.2, 1, 1, 0]  # IoU 1/2.2 with the first box, 0.9/2.3 with the second
    preds = [scene([UNIT, wide], [0, 0], [0.9, 0.8])]
    assert iou(np.array([wide]), np.array([[1.2, 0, 0, 1, 1, 1, 0]])) > 0.25
    assert box_map(preds, gts, iou_thresholds=(0.25,))["mAP@0.25"] == pytest.approx(0.5)


def test_heading_symmetric_prediction_is_a_hit():
    gts = [scene([[0, 0, 0, 2, 1, 1, 0.2]], [0])]
    preds = [scene([[0, 0, 0, 2, 1, 1, 0.2 + np.pi], [0, 0, 0, 1, 2, 1, 0.2 + np.pi / 2]], [0, 1], [0.9, 0.9])]
    result = box_map(preds, [scene([[0, 0, 0, 2, 1, 1, 0.2]] * 2, [0, 1])], class_names=["a", "b"])
    assert result["mAP@0.5"] == 1.0
    assert box_map(preds[:1], gts, class_names=["a", "b"])["per_class"]["a"]["AP@0.5"] == 1.0


def test_classes_without_ground_truth_are_skipped():
    gts = [scene([UNIT], [0])]
    preds = [scene([UNIT, [4, 4, 0, 1, 1, 1, 0]], [0, 1], [0.9, 0.8])]
    result = box_map(preds, gts, class_names=["a", "b", "c"])
    assert math.isnan(result["per_class"]["b"]["AP@0.25"])  # detections, no ground truth
    assert math.isnan(result["per_class"]["c"]["AP@0.5"])  # neither
    assert result["mAP@0.25"] == 1.0  # the mean is over class a only
    unnamed = box_map(preds, gts)
    assert set(unnamed["per_class"]) == {"0", "1"} and unnamed["mAP@0.5"] == 1.0


def test_ground_truth_without_detections_is_zero_and_empty_scenes_work():
    gts = [scene([UNIT], [0]), scene(np.zeros((0, 7)), []), scene([[2, 2, 0, 1, 1, 1, 0]], [1])]
    preds = [scene([UNIT], [0], [0.5]), scene(np.zeros((0, 7)), [], []), scene(np.zeros((0, 7)), [], [])]
    result = box_map(preds, gts, class_names=["a", "b"])
    assert result["per_class"]["b"] == {"AP@0.25": 0.0, "AP@0.5": 0.0}
    assert result["mAP@0.25"] == pytest.approx(0.5)
    assert math.isnan(box_map([scene(np.zeros((0, 7)), [], [])], [scene(np.zeros((0, 7)), [])])["mAP@0.5"])
    assert "mean" in format_detection_table(result)


def test_threshold_is_inclusive_and_keys_follow_thresholds():
    gts = [scene([UNIT], [0])]
    preds = [scene([[0, 0, 0, 2, 1, 1, 0]], [0], [1.0])]  # IoU exactly 1/2 (the unit box inside a 2x1x1 box)
    result = box_map(preds, gts, iou_thresholds=(0.25, 0.5, 0.75))
    assert list(result) == ["mAP@0.25", "mAP@0.5", "mAP@0.75", "per_class"]
    assert [result["mAP@0.25"], result["mAP@0.5"], result["mAP@0.75"]] == [1.0, 1.0, 0.0]
    assert box_map(preds, gts, iou_thresholds=(0.5 + 1e-9,))["mAP@0.5"] == 0.0


@pytest.mark.parametrize("preds, gts, match", [
    ([scene([UNIT], [0], [1.0])], [], "1 predicted scenes but 0"),
    ([scene([UNIT], [0], [1.0])], [scene([[0, 0, 0, 1, 0, 1, 0]], [0])], "scene 0 ground-truth boxes: box 0 has a non-positive size"),
    ([scene([[0, 0, 0, 1, 1, -1, 0]], [0], [1.0])], [scene([UNIT], [0])], "scene 0 predicted boxes: box 0 has a non-positive"),
    ([scene([UNIT], [0], [1.0])], [scene([UNIT], [3])], "scene 0: ground-truth class 3 is outside 0..1"),
    ([scene([UNIT], [2], [1.0])], [scene([UNIT], [0])], "scene 0: predicted class 2 is outside 0..1"),
    ([(np.zeros((1, 6)), [0], [1.0])], [scene([UNIT], [0])], r"expected \(K, 7\) boxes"),
    ([scene([UNIT], [0], [1.0, 2.0])], [scene([UNIT], [0])], "1 boxes / 1 classes / 2 scores"),
])
def test_bad_inputs_are_named(preds, gts, match):
    with pytest.raises(ValueError, match=match):
        box_map(preds, gts, class_names=["a", "b"])
