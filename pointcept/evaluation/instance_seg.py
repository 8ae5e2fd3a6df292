"""Instance-segmentation AP with the semantics of ScanNet's ``evaluate_semantic_instance.py``, pure functions.

Written from the benchmark script's documented behaviour so that numbers here equal the official ones:

* overlaps 0.50, 0.55, ..., 0.90 (the script's ``np.arange(0.5, 0.95, 0.05)``) for ``ap``, plus 0.25;
  a prediction matches a ground-truth instance when their IoU is *strictly* above the overlap;
* ground-truth instances with fewer than ``min_region_size`` points are ignored, and so are predictions
  with fewer points (they are dropped before matching, as the script drops small masks);
* void points are points of a class outside ``class_ids`` (or ``-1``) and points of an evaluated class
  whose instance is ``-1`` (unannotated). A ground-truth instance is a (class, instance id) pair, so an id
  shared by two classes gives two instances, as the benchmark's ``class * 1000 + id`` encoding does;
* per class and overlap, ground-truth instances are visited in ascending instance id and, for each, the
  overlapping predictions in the order given: the first unused one above the overlap is a true positive,
  every further one a false positive carrying the lower of the two scores; an unmatched prediction is a
  false positive unless more than ``overlap`` of its points lie on void or on too-small ground truth;
* AP is the script's: precision/recall at every distinct score, an artificial (recall 0, precision 1)
  point, and the area summed with central-difference step widths; a class with ground truth but no
  prediction scores 0, one without ground truth is NaN and left out of the means.

Two steps, so distributed evaluation gathers only small summaries: :func:`match_scene` reduces one scene
to overlap counts, :func:`evaluate_matches` scores the summaries of all scenes.
:func:`scannet_instance_ap` (pinned signature) does both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

#: the script's overlaps: np.arange(0.5, 0.95, 0.05) (0.50 .. 0.90), then 0.25
OVERLAPS: tuple[float, ...] = tuple(float(o) for o in np.append(np.arange(0.5, 0.95, 0.05), 0.25))
SCENE_FIELDS = ("gt_segment", "gt_instance", "pred_masks", "pred_classes", "pred_scores")


@dataclass
class ClassMatches:
    """One class of one scene: ground-truth sizes, kept predictions and their overlap counts."""

    gt_counts: np.ndarray  # (G,) points per ground-truth instance, ascending instance id
    pred_scores: np.ndarray  # (P,) in the order given
    pred_counts: np.ndarray  # (P,) points per prediction
    pred_void: np.ndarray  # (P,) prediction points on void
    intersection: np.ndarray  # (P, G) shared points


@dataclass
class SceneMatches:
    name: str
    min_region_size: int
    classes: dict[int, ClassMatches] = field(default_factory=dict)


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "detach"):  # torch tensor on any device
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _scene_arrays(
    scene: Mapping[str, Any], name: str, class_ids: np.ndarray, num_classes: int | None = None
) -> tuple[np.ndarray, ...]:
    """Validated numpy views of one scene's fields, predictions of non-evaluated classes dropped; errors
    name the scene and the field (a negative class id, or one at or above ``num_classes``, is an error)."""
    missing = [key for key in SCENE_FIELDS if key not in scene]
    if missing:
        raise KeyError(f"scene {name}: missing field(s) {missing}; a scene needs {list(SCENE_FIELDS)}")
    segment = _numpy(scene["gt_segment"]).reshape(-1)
    instance = _numpy(scene["gt_instance"]).reshape(-1)
    masks, classes, scores = (_numpy(scene[k]) for k in ("pred_masks", "pred_classes", "pred_scores"))
    if not np.issubdtype(segment.dtype, np.integer) or not np.issubdtype(instance.dtype, np.integer):
        raise TypeError(f"scene {name}: gt_segment and gt_instance must be integer arrays")
    if len(instance) != len(segment):
        raise ValueError(
            f"scene {name}: gt_instance has {len(instance)} entries but gt_segment has {len(segment)}"
        )
    if len(segment) and segment.min() < -1:
        raise ValueError(
            f"scene {name}: gt_segment holds {int(segment.min())}; class indices are >= 0, -1 ignores"
        )
    classes, scores = classes.reshape(-1), scores.reshape(-1)
    if masks.ndim == 1 and masks.size == 0:
        masks = masks.reshape(0, len(segment))
    if masks.ndim != 2:
        raise ValueError(
            f"scene {name}: pred_masks must be (num_predictions, num_points), got shape {masks.shape}"
        )
    if masks.shape[1] != len(segment):
        raise ValueError(
            f"scene {name}: pred_masks has masks of length {masks.shape[1]} but the scene has "
            f"{len(segment)} points (gt_segment)"
        )
    if not len(classes) == len(scores) == len(masks):
        raise ValueError(
            f"scene {name}: {len(masks)} pred_masks, {len(classes)} pred_classes and "
            f"{len(scores)} pred_scores; "
            "they must have one entry per prediction"
        )
    if len(classes):
        if not np.issubdtype(classes.dtype, np.integer):
            if not np.all(np.mod(classes, 1) == 0):
                raise ValueError(f"scene {name}: pred_classes must hold integer class ids")
            classes = classes.astype(np.int64)
        if classes.min() < 0 or (num_classes is not None and classes.max() >= num_classes):
            bad = np.unique(classes[(classes < 0) | (classes >= (num_classes if num_classes is not None else np.inf))])
            limit = f"the {num_classes} classes of the class list" if num_classes is not None else "class indices >= 0"
            raise ValueError(f"scene {name}: pred_classes holds class id(s) {bad.tolist()[:10]} outside {limit}")
        # a class that is not evaluated (e.g. wall, floor) is ignored, as evaluate_semantic_instance.py does
        evaluated = np.isin(classes, class_ids)
        masks, classes, scores = masks[evaluated], classes[evaluated], scores[evaluated]
    if not np.all(np.isfinite(scores.astype(np.float64))):
        raise ValueError(f"scene {name}: pred_scores holds NaN or infinite values")
    return segment.astype(np.int64), instance.astype(np.int64), masks.astype(bool), classes, scores


def match_scene(
    scene: Mapping[str, Any],
    class_ids: Sequence[int],
    min_region_size: int = 100,
    name: str | None = None,
    num_classes: int | None = None,
) -> SceneMatches:
    """Reduce one scene (the fields of :func:`scannet_instance_ap`) to per-class overlap counts.

    Predictions of a class outside ``class_ids`` (a wall instance, say) are ignored, as ScanNet's script
    ignores them. ``num_classes`` (optional) rejects ground-truth labels and predicted classes at or above
    it (a wrong label file, a head with too many outputs).
    """
    class_ids = _class_id_array(class_ids)
    name = str(scene.get("name", name if name is not None else "<unnamed>"))
    segment, instance, masks, classes, scores = _scene_arrays(scene, name, class_ids, num_classes)
    if num_classes is not None and len(segment) and segment.max() >= num_classes:
        outside = np.unique(segment[segment >= num_classes])
        raise ValueError(
            f"scene {name}: gt_segment holds class id(s) {outside.tolist()[:10]} outside the {num_classes} "
            "classes of the class list"
        )
    evaluated = np.isin(segment, class_ids)
    void = ~evaluated | (instance < 0)
    # ground truth: (class, instance) pairs in ascending order; gt_index -1 for void points
    gt_index = np.full(len(segment), -1, dtype=np.int64)
    pairs, inverse = np.unique(
        np.stack([segment[~void], instance[~void]], axis=1), axis=0, return_inverse=True
    )
    gt_index[~void] = inverse.reshape(-1)
    gt_counts = np.bincount(gt_index[~void], minlength=len(pairs))
    pred_counts = masks.sum(axis=1)
    kept = np.flatnonzero(pred_counts >= min_region_size)
    rows, cols = np.nonzero(masks[kept][:, ~void]) if len(kept) else (np.zeros(0, int), np.zeros(0, int))
    labelled = gt_index[~void]
    intersection = np.bincount(rows * len(pairs) + labelled[cols], minlength=len(kept) * len(pairs))
    intersection = intersection.reshape(len(kept), len(pairs))
    pred_void = masks[kept][:, void].sum(axis=1)
    result = SceneMatches(name=name, min_region_size=int(min_region_size))
    for class_id in class_ids.tolist():
        gts = np.flatnonzero(pairs[:, 0] == class_id) if len(pairs) else np.zeros(0, dtype=np.int64)
        preds = np.flatnonzero(classes[kept] == class_id)
        result.classes[class_id] = ClassMatches(
            gt_counts=gt_counts[gts],
            pred_scores=scores[kept][preds].astype(np.float64),
            pred_counts=pred_counts[kept][preds],
            pred_void=pred_void[preds],
            intersection=intersection[np.ix_(preds, gts)],
        )
    return result


def _match_class(matches: ClassMatches, overlap: float, min_region_size: int) -> tuple[list, list, int]:
    """True-positive flags, scores and missed ground truths of one class in one scene at one overlap."""
    inter, gt_counts, pred_counts = matches.intersection, matches.gt_counts, matches.pred_counts
    iou = inter / np.maximum(gt_counts[None, :] + pred_counts[:, None] - inter, 1)
    used = np.zeros(len(pred_counts), dtype=bool)
    flags: list[int] = []
    scores: list[float] = []
    missed = 0
    for gt in np.flatnonzero(gt_counts >= min_region_size):
        best: float | None = None
        for pred in np.flatnonzero(inter[:, gt] > 0):
            if used[pred] or not iou[pred, gt] > overlap:
                continue
            score = float(matches.pred_scores[pred])
            if best is None:
                best, used[pred] = score, True
            else:  # a second match of this ground truth: the lower score is a false positive
                flags.append(0)
                scores.append(min(best, score))
                best = max(best, score)
        if best is None:
            missed += 1
        else:
            flags.append(1)
            scores.append(best)
    small = gt_counts < min_region_size
    for pred in range(len(pred_counts)):
        if (iou[pred][inter[pred] > 0] > overlap).any():
            continue  # matched (or a duplicate, counted above), or on a too-small ground truth
        ignored = matches.pred_void[pred] + inter[pred, small].sum()
        if ignored / pred_counts[pred] <= overlap:
            flags.append(0)
            scores.append(float(matches.pred_scores[pred]))
    return flags, scores, missed


def average_precision(true_positive: np.ndarray, scores: np.ndarray, missed: int) -> float:
    """The script's AP: precision/recall at each distinct score plus an artificial (0, 1) point, integrated
    with step widths (r[i-1] - r[i+1]) / 2 (r[-1] := r[0], r[last+1] := 0)."""
    order = np.argsort(scores, kind="stable")
    flags = np.asarray(true_positive, dtype=np.float64)[order]
    _, first = np.unique(np.asarray(scores, dtype=np.float64)[order], return_index=True)
    cumulative = np.concatenate([[0.0], np.cumsum(flags)])  # cumulative[i] = true positives below index i
    total_true, count = cumulative[-1], len(flags)
    tp = total_true - cumulative[first]
    fp = (count - first) - tp
    fn = cumulative[first] + missed
    precision = np.append(tp / (tp + fp), 1.0)
    recall = np.append(tp / (tp + fn), 0.0)
    previous = np.concatenate([recall[:1], recall[:-1]])
    following = np.concatenate([recall[1:], [0.0]])
    return float(np.dot(precision, (previous - following) / 2))


def _class_id_array(class_ids: Sequence[int]) -> np.ndarray:
    ids = np.asarray(list(class_ids))
    if ids.ndim != 1 or (len(ids) and not np.issubdtype(ids.dtype, np.integer)):
        raise TypeError(f"class_ids must be a list of integer class indices, got {class_ids!r}")
    if len(np.unique(ids)) != len(ids):
        raise ValueError(f"class_ids has repeated entries: {ids.tolist()}")
    return ids.astype(np.int64)


def resolve_class_names(class_ids: Sequence[int], class_names: Sequence[str] | None) -> list[str]:
    """Names of ``class_ids``: ``class_names`` lists one per evaluated class, or one per class index."""
    ids = _class_id_array(class_ids).tolist()
    if class_names is None:
        return [str(i) for i in ids]
    names = list(class_names)
    if len(names) == len(ids):
        return [str(n) for n in names]
    if ids and len(names) > max(ids) and min(ids) >= 0:
        return [str(names[i]) for i in ids]
    raise ValueError(
        f"class_names must name each of the {len(ids)} class_ids or every class index up to "
        f"{max(ids, default=0)}; "
        f"got {len(names)} names"
    )


def evaluate_matches(
    matches: Sequence[SceneMatches],
    class_ids: Sequence[int],
    class_names: Sequence[str] | None = None,
    min_region_size: int = 100,
) -> dict:
    """AP / AP50 / AP25 (means over classes with ground truth) and ``per_class`` from scene summaries."""
    ids = _class_id_array(class_ids).tolist()
    names = resolve_class_names(ids, class_names)
    for scene in matches:
        if scene.min_region_size != min_region_size:
            raise ValueError(
                f"scene {scene.name} was matched with min_region_size={scene.min_region_size}, "
                f"evaluated with {min_region_size}"
            )
    table = np.full((len(ids), len(OVERLAPS)), np.nan)
    for ci, class_id in enumerate(ids):
        per_scene = [scene.classes[class_id] for scene in matches]
        has_gt = any((m.gt_counts >= min_region_size).any() for m in per_scene)
        has_pred = any(len(m.pred_scores) for m in per_scene)
        if not has_gt:
            continue
        for oi, overlap in enumerate(OVERLAPS):
            if not has_pred:
                table[ci, oi] = 0.0
                continue
            flags: list[int] = []
            scores: list[float] = []
            missed = 0
            for m in per_scene:
                f, s, n = _match_class(m, overlap, min_region_size)
                flags += f
                scores += s
                missed += n
            table[ci, oi] = average_precision(np.array(flags), np.array(scores), missed)
    at = np.array(OVERLAPS)
    main, o50, o25 = ~np.isclose(at, 0.25), np.isclose(at, 0.5), np.isclose(at, 0.25)

    def mean(values: np.ndarray) -> float:
        return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")

    return {
        "ap": mean(table[:, main]),
        "ap50": mean(table[:, o50]),
        "ap25": mean(table[:, o25]),
        "per_class": {
            name: {"ap": float(np.mean(row[main])), "ap50": float(row[o50][0]), "ap25": float(row[o25][0])}
            for name, row in zip(names, table)
        },
    }


def scannet_instance_ap(
    scenes: Sequence[Mapping[str, Any]],
    class_ids: Sequence[int],
    class_names: Sequence[str] | None = None,
    min_region_size: int = 100,
    num_classes: int | None = None,
) -> dict:
    """ScanNet instance AP over ``scenes`` (see the module docstring for the exact semantics).

    Each scene is a dict with ``gt_segment`` (N,) class index (-1 ignore), ``gt_instance`` (N,) (-1 none),
    ``pred_masks`` (M, N) bool, ``pred_classes`` (M,) int class index (predictions of classes outside
    ``class_ids`` are ignored, as the benchmark script does; ids < 0 or >= ``num_classes`` are errors),
    ``pred_scores`` (M,) float and optionally ``name`` (used in error messages). Returns ``ap`` (mean over overlaps 0.50:0.95:0.05),
    ``ap50``, ``ap25`` (averaged over classes with ground truth) and ``per_class`` {name: {ap, ap50, ap25}}.
    """
    matches = [match_scene(scene, class_ids, min_region_size, name=f"#{i}", num_classes=num_classes)
               for i, scene in enumerate(scenes)]
    return evaluate_matches(matches, class_ids, class_names, min_region_size)


def format_ap_table(metrics: dict) -> str:
    """The per-class AP / AP50 / AP25 table the logs show."""
    rows = [f"{'class':<24}{'AP':>8}{'AP50':>8}{'AP25':>8}"]
    for name, values in metrics["per_class"].items():
        rows.append(f"{name:<24}{values['ap']:>8.4f}{values['ap50']:>8.4f}{values['ap25']:>8.4f}")
    rows.append(f"{'mean':<24}{metrics['ap']:>8.4f}{metrics['ap50']:>8.4f}{metrics['ap25']:>8.4f}")
    return "\n".join(rows)


__all__ = [
    "OVERLAPS",
    "ClassMatches",
    "SceneMatches",
    "match_scene",
    "evaluate_matches",
    "average_precision",
    "scannet_instance_ap",
    "resolve_class_names",
    "format_ap_table",
]
