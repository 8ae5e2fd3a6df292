"""ScanNet instance AP on hand-made scenes whose AP can be worked out by hand (see each docstring)."""

import math

import numpy as np
import pytest
import torch

from pointcept.evaluation.instance_seg import (
    OVERLAPS,
    average_precision,
    evaluate_matches,
    match_scene,
    scannet_instance_ap,
)

CHAIR, TABLE, WALL = 2, 3, 0


def make_scene(instances, n=1000, extra_void=0, name="s0"):
    """A scene of ``n`` points; ``instances`` is a list of (class, instance id, point slice)."""
    segment = np.full(n, WALL, dtype=np.int64)
    instance = np.full(n, -1, dtype=np.int64)
    for cls, inst, sl in instances:
        segment[sl] = cls
        instance[sl] = inst
    return dict(name=name, gt_segment=segment, gt_instance=instance)


def predict(scene, preds):
    """Attach predictions: a list of (class, score, point slice or index array)."""
    n = len(scene["gt_segment"])
    masks = np.zeros((len(preds), n), dtype=bool)
    for i, (_, _, sl) in enumerate(preds):
        masks[i, sl] = True
    scene = dict(scene)
    scene.update(
        pred_masks=masks,
        pred_classes=np.array([p[0] for p in preds], dtype=np.int64),
        pred_scores=np.array([p[1] for p in preds], dtype=np.float64),
    )
    return scene


def ap(scenes, class_ids=(CHAIR, TABLE), **kw):
    return scannet_instance_ap(scenes, list(class_ids), **kw)


TWO_CHAIRS = [(CHAIR, 5, slice(0, 200)), (CHAIR, 9, slice(200, 400))]


def test_overlaps_are_the_scripts():
    assert np.allclose(OVERLAPS, [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.25])


def test_perfect_prediction_scores_one():
    scene = predict(
        make_scene(TWO_CHAIRS + [(TABLE, 1, slice(400, 700))]),
        [(CHAIR, 0.9, slice(0, 200)), (CHAIR, 0.8, slice(200, 400)), (TABLE, 0.7, slice(400, 700))],
    )
    result = ap([scene], class_names=["wall", "floor", "chair", "table"])
    assert result["ap"] == result["ap50"] == result["ap25"] == 1.0
    assert set(result) == {"ap", "ap50", "ap25", "per_class"}
    assert result["per_class"] == {
        "chair": {"ap": 1.0, "ap50": 1.0, "ap25": 1.0},
        "table": {"ap": 1.0, "ap50": 1.0, "ap25": 1.0},
    }


def test_one_missing_instance_halves_ap():
    """1 of 2 chairs found: one threshold with P=1, R=0.5 plus the artificial (R=0, P=1) point; step widths
    (0.5 - 0) / 2 each: AP = 1 * 0.25 + 1 * 0.25 = 0.5."""
    scene = predict(make_scene(TWO_CHAIRS), [(CHAIR, 0.9, slice(0, 200))])
    result = ap([scene], class_ids=[CHAIR])
    assert result["ap50"] == result["ap"] == result["ap25"] == 0.5


def test_duplicate_prediction_is_a_false_positive():
    """Chairs A, B; predictions A (0.9), a duplicate of A (0.8), B (0.7). The duplicate is a false positive at
    0.8. Ascending thresholds 0.7/0.8/0.9 give (P, R) = (2/3, 1), (1/2, 1/2), (1, 1/2), then (1, 0); every
    step width is 1/4, so AP = (2/3 + 1/2 + 1 + 1) / 4 = 19/24."""
    scene = predict(
        make_scene(TWO_CHAIRS),
        [(CHAIR, 0.9, slice(0, 200)), (CHAIR, 0.8, slice(0, 190)), (CHAIR, 0.7, slice(200, 400))],
    )
    result = ap([scene], class_ids=[CHAIR])
    assert result["ap50"] == pytest.approx(19 / 24, abs=1e-12)
    assert result["ap"] == pytest.approx(19 / 24, abs=1e-12)  # IoU 0.95 passes every overlap up to 0.90
    without = ap(
        [predict(make_scene(TWO_CHAIRS), [(CHAIR, 0.9, slice(0, 200)), (CHAIR, 0.7, slice(200, 400))])],
        class_ids=[CHAIR],
    )
    assert without["ap50"] == 1.0


def test_lower_scored_duplicate_listed_first_still_loses():
    """Predictions are visited in the order given, but of two matches the lower score is the false one."""
    scene = predict(
        make_scene(TWO_CHAIRS),
        [(CHAIR, 0.8, slice(0, 190)), (CHAIR, 0.9, slice(0, 200)), (CHAIR, 0.7, slice(200, 400))],
    )
    assert ap([scene], class_ids=[CHAIR])["ap50"] == pytest.approx(19 / 24, abs=1e-12)


def test_prediction_on_void_points_is_not_counted():
    """A wrong chair mask lying on wall points (an unevaluated class) or on chair points without an instance
    id (unannotated) is no false positive."""
    base = make_scene(TWO_CHAIRS + [(CHAIR, -1, slice(600, 800))])
    perfect = [(CHAIR, 0.5, slice(0, 200)), (CHAIR, 0.5, slice(200, 400))]
    on_wall = predict(base, perfect + [(CHAIR, 0.95, slice(400, 600))])
    on_unannotated = predict(base, perfect + [(CHAIR, 0.95, slice(600, 800))])
    assert ap([on_wall], class_ids=[CHAIR])["ap"] == 1.0
    assert ap([on_unannotated], class_ids=[CHAIR])["ap"] == 1.0


def test_void_share_above_the_overlap_is_ignored():
    """A chair mask with 60 % of its points on void (the rest on a table) is ignored at every overlap (0.6 >
    0.5); with 40 % void it is a false positive at 0.5 .. 0.9 (0.4 <= overlap) but ignored at 0.25. The false
    positive has the top score: thresholds 0.5 -> (P, R) = (2/3, 1), 0.95 -> (0, 0), then (1, 0); step widths
    1/2, 1/2, 0, so AP = 1/3."""
    scene = make_scene(TWO_CHAIRS + [(TABLE, 1, slice(500, 800))])
    perfect = [(CHAIR, 0.5, slice(0, 200)), (CHAIR, 0.5, slice(200, 400))]
    sixty = predict(scene, perfect + [(CHAIR, 0.95, np.r_[400:460, 500:540])])  # 60 wall + 40 table
    assert ap([sixty])["per_class"]["2"]["ap50"] == 1.0  # tables are evaluated, so table points are not void
    forty = predict(scene, perfect + [(CHAIR, 0.95, np.r_[400:440, 500:560])])  # 40 wall + 60 table
    result = ap([forty])["per_class"]["2"]
    assert result["ap50"] == result["ap"] == pytest.approx(1 / 3, abs=1e-12)
    assert result["ap25"] == 1.0


def test_small_ground_truth_is_ignored():
    """A 50-point chair (min_region_size 100) is neither a miss nor makes a prediction on it a false
    positive; a class whose only instance is small has no ground truth at all."""
    scene = make_scene(TWO_CHAIRS + [(CHAIR, 11, slice(400, 450)), (TABLE, 1, slice(500, 560))])
    preds = [
        (CHAIR, 0.5, slice(0, 200)),
        (CHAIR, 0.5, slice(200, 400)),
        (CHAIR, 0.9, np.r_[400:450, 600:660]),
        (TABLE, 0.9, np.r_[500:560, 700:750]),
    ]
    result = ap([predict(scene, preds)])
    assert result["per_class"]["2"] == {"ap": 1.0, "ap50": 1.0, "ap25": 1.0}
    assert all(math.isnan(v) for v in result["per_class"]["3"].values())
    assert result["ap"] == 1.0
    missed_small = ap([predict(scene, preds[:2])], class_ids=[CHAIR])
    assert missed_small["ap"] == 1.0
    # with min_region_size=10 the small chair counts: the 0.9 prediction covers it with IoU 50/110 < 0.5
    strict = ap([predict(scene, preds)], min_region_size=10)["per_class"]["2"]
    assert strict["ap50"] == pytest.approx(2 / 3, abs=1e-12)  # P = 1, R = 2/3


def test_small_predictions_are_dropped():
    """A 60-point chair mask on a table is dropped under min_region_size=100 and a false positive under 50."""
    scene = predict(
        make_scene(TWO_CHAIRS + [(TABLE, 1, slice(500, 700))]),
        [(CHAIR, 0.9, slice(0, 200)), (CHAIR, 0.8, slice(200, 400)), (CHAIR, 0.99, slice(500, 560))],
    )
    assert ap([scene])["per_class"]["2"]["ap"] == 1.0
    # thresholds 0.8 -> (2/3, 1), 0.9 -> (1/2, 1/2), 0.99 -> (0, 0), then (1, 0); widths 1/4, 1/2, 1/4, 0
    assert ap([scene], min_region_size=50)["per_class"]["2"]["ap50"] == pytest.approx(5 / 12, abs=1e-12)


def test_class_average_skips_classes_without_ground_truth():
    """Chairs perfect (AP 1), tables not predicted (AP 0), class 4 only predicted (NaN): mean 0.5."""
    scene = make_scene(TWO_CHAIRS + [(TABLE, 1, slice(400, 700))])
    scene = predict(
        scene, [(CHAIR, 0.9, slice(0, 200)), (CHAIR, 0.8, slice(200, 400)), (4, 0.9, slice(800, 950))]
    )
    result = ap([scene], class_ids=[CHAIR, TABLE, 4])
    assert result["per_class"]["3"]["ap"] == 0.0
    assert math.isnan(result["per_class"]["4"]["ap50"])
    assert result["ap"] == result["ap50"] == result["ap25"] == 0.5


def test_scenes_pool_and_scene_order_is_irrelevant():
    """Two scenes, one perfect and one with a top-scored false positive: AP over pooled predictions."""
    a = predict(
        make_scene(TWO_CHAIRS, name="a"), [(CHAIR, 0.6, slice(0, 200)), (CHAIR, 0.6, slice(200, 400))]
    )
    b = predict(
        make_scene([(CHAIR, 1, slice(0, 300)), (TABLE, 1, slice(500, 700))], name="b"),
        [(CHAIR, 0.7, slice(0, 300)), (CHAIR, 0.9, slice(500, 700))],
    )
    # ascending thresholds 0.6 (3 TP, 1 FP) -> (3/4, 1); 0.7 -> (1/2, 1/3); 0.9 -> (0, 0); artificial (1, 0)
    # widths: (1 - 1/3)/2, (1 - 0)/2, (1/3 - 0)/2, 0 -> AP = 3/4 * 1/3 + 1/2 * 1/2 + 0 = 1/2
    assert ap([a, b])["per_class"]["2"]["ap50"] == pytest.approx(0.5, abs=1e-12)
    assert ap([b, a])["per_class"]["2"]["ap50"] == pytest.approx(0.5, abs=1e-12)
    assert ap([a, b], class_ids=[CHAIR])["ap50"] == 1.0  # tables unevaluated: their points are void


def test_iou_must_be_strictly_above_the_overlap():
    """A prediction covering exactly half of a 200-point chair (IoU 0.5) does not match at 0.5."""
    scene = predict(make_scene([(CHAIR, 1, slice(0, 200))]), [(CHAIR, 0.9, slice(0, 100))])
    result = ap([scene], class_ids=[CHAIR])
    assert result["ap50"] == 0.0 and result["ap25"] == 1.0


def test_class_names_per_evaluated_class_or_per_index_and_torch_inputs():
    scene = predict(make_scene(TWO_CHAIRS), [(CHAIR, 0.9, slice(0, 200)), (CHAIR, 0.8, slice(200, 400))])
    torch_scene = {k: (torch.as_tensor(v) if isinstance(v, np.ndarray) else v) for k, v in scene.items()}
    assert list(ap([torch_scene], class_ids=[CHAIR], class_names=["chair"])["per_class"]) == ["chair"]
    assert list(ap([scene], class_ids=[CHAIR], class_names=["w", "f", "chair"])["per_class"]) == ["chair"]
    with pytest.raises(ValueError, match="class_names"):
        ap([scene], class_ids=[CHAIR, TABLE], class_names=["a", "b", "c"])


def test_no_ground_truth_anywhere_is_nan_and_empty_predictions_work():
    scene = make_scene([])
    scene.update(pred_masks=np.zeros((0, 1000), bool), pred_classes=np.zeros(0, int), pred_scores=np.zeros(0))
    result = ap([scene])
    assert math.isnan(result["ap"]) and math.isnan(result["ap50"])


def test_average_precision_matches_hand_values():
    assert average_precision(np.array([1, 1]), np.array([0.5, 0.5]), 0) == 1.0
    assert average_precision(np.array([1]), np.array([0.9]), 1) == 0.5
    assert average_precision(np.array([], dtype=int), np.array([]), 2) == 0.0


def test_match_then_evaluate_equals_one_call():
    scene = predict(make_scene(TWO_CHAIRS), [(CHAIR, 0.9, slice(0, 200)), (CHAIR, 0.8, slice(0, 190))])
    matches = [match_scene(scene, [CHAIR])]
    assert evaluate_matches(matches, [CHAIR]) == ap([scene], class_ids=[CHAIR])
    with pytest.raises(ValueError, match="min_region_size"):
        evaluate_matches(matches, [CHAIR], min_region_size=50)


# ------------------------------------------------------------------------------------------ bad input
def test_wrong_mask_length_names_scene_and_field():
    scene = predict(make_scene(TWO_CHAIRS, name="scene0042_00"), [(CHAIR, 0.9, slice(0, 200))])
    scene["pred_masks"] = scene["pred_masks"][:, :999]
    with pytest.raises(
        ValueError, match=r"scene scene0042_00: pred_masks has masks of length 999 .* 1000 points"
    ):
        ap([scene])


def test_predictions_of_classes_not_evaluated_are_ignored():
    """A wall instance (class 0 is not among the evaluated class_ids) is skipped, not an error, as in
    evaluate_semantic_instance.py; it does not count as a false positive of any class either."""
    chair = [(CHAIR, 0.9, slice(0, 200))]
    scene = make_scene(TWO_CHAIRS, name="scene0042_00")
    baseline = ap([predict(scene, chair)])
    with_wall = ap([predict(scene, [(WALL, 0.99, slice(200, 1000)), *chair, (7, 0.95, slice(0, 200))])])
    for key in ("ap", "ap50", "ap25"):
        assert with_wall[key] == baseline[key]
    assert with_wall["per_class"][str(CHAIR)] == baseline["per_class"][str(CHAIR)]
    assert baseline["ap50"] == 0.5  # one of the two chairs found


def test_class_outside_the_data_sets_classes_names_scene_and_field():
    scene = predict(make_scene(TWO_CHAIRS, name="scene0042_00"), [(25, 0.9, slice(0, 200))])
    with pytest.raises(ValueError, match=r"scene scene0042_00: pred_classes holds class id\(s\) \[25\] outside the 20"):
        ap([scene], num_classes=20)
    negative = predict(make_scene(TWO_CHAIRS, name="scene0042_00"), [(-1, 0.9, slice(0, 200))])
    with pytest.raises(ValueError, match=r"pred_classes holds class id\(s\) \[-1\] outside class indices >= 0"):
        ap([negative])


def test_inconsistent_ground_truth_and_counts_are_named():
    scene = predict(make_scene(TWO_CHAIRS), [(CHAIR, 0.9, slice(0, 200))])
    bad = dict(scene, gt_instance=scene["gt_instance"][:10])
    with pytest.raises(ValueError, match="scene s0: gt_instance has 10 entries but gt_segment has 1000"):
        ap([bad])
    with pytest.raises(ValueError, match="scene s0: 1 pred_masks, 1 pred_classes and 2 pred_scores"):
        ap([dict(scene, pred_scores=np.array([0.1, 0.2]))])
    with pytest.raises(KeyError, match=r"scene #0: missing field\(s\) \['pred_scores'\]"):
        ap([{k: v for k, v in scene.items() if k not in ("pred_scores", "name")}])
    with pytest.raises(ValueError, match="NaN"):
        ap([dict(scene, pred_scores=np.array([np.nan]))])


def test_ground_truth_label_outside_the_class_list_is_named():
    scene = predict(make_scene(TWO_CHAIRS, name="scene0042_00"), [(CHAIR, 0.9, slice(0, 200))])
    scene["gt_segment"][5] = 25
    with pytest.raises(
        ValueError, match=r"scene scene0042_00: gt_segment holds class id\(s\) \[25\] outside the 20"
    ):
        match_scene(scene, [CHAIR], num_classes=20)
