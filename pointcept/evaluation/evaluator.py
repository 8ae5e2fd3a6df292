"""Dataset evaluators: one per task, shared by the validation hooks and the testers (detectron2's pattern).

An evaluator accumulates predictions with ``process(batch, output)``, reduces its state across ranks once
(:func:`reduce_across_ranks`: sums all-reduced, per-scene records gathered in rank order) and scores the
result with the pure metric functions of this package. Two callers feed ``process``:

* a validation hook, with each collated val batch and the model's output on its voxels; predictions are
  mapped back to every original point when the pipeline kept ``origin_segment`` and ``inverse``;
* a tester, once per finished scene, with the scene's labels and its predictions on the original points
  (fragments voted back, masks mapped through ``inverse``): a batch of one scene without ``origin_*``.

Every rank returns the same metrics from ``evaluate()``, also a rank that processed no scene (its state
was created with the right shapes in ``reset``, so the collectives match). Nothing here knows about
hooks, trainers or testers; logging is left to the caller (:meth:`DatasetEvaluator.result_lines`).
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import torch

from pointcept.utils.comm import all_gather_list, all_reduce_sum, default_device

from .detection import box_map, format_detection_table
from .instance_seg import evaluate_matches, format_ap_table, match_scene
from .semseg import format_class_table, intersection_and_union, semseg_metrics

__all__ = [
    "DatasetEvaluator",
    "SemSegDatasetEvaluator",
    "InsSegDatasetEvaluator",
    "DetectionDatasetEvaluator",
    "reduce_across_ranks",
    "result_line",
    "evaluated_class_ids",
    "split_scenes",
    "split_ground_truth",
]


def reduce_across_ranks(
    sums: Mapping[str, torch.Tensor], records: Mapping[str, Sequence[Any]]
) -> tuple[dict[str, torch.Tensor], dict[str, list[Any]]]:
    """``sums`` summed over ranks and ``records`` concatenated in rank order; every rank gets the result.

    Why: the one place where evaluators meet the process group. Every rank must pass the same keys and
    tensor shapes (an evaluator creates them in ``reset``), also a rank that processed nothing. The sums go
    through one float64 all-reduce (exact for counts below 2**53), the records through one object gather;
    the inputs are not modified (the records' items themselves are shared in a single process).
    """
    names = sorted(sums)
    reduced: dict[str, torch.Tensor] = {}
    if names:
        flat = torch.cat([sums[name].detach().reshape(-1).to(torch.float64) for name in names])
        all_reduce_sum(flat)
        pieces = torch.split(flat, [sums[name].numel() for name in names])
        for name, piece in zip(names, pieces):
            reduced[name] = piece.reshape(sums[name].shape).to(sums[name].dtype)
    keys = sorted(records)
    parts = all_gather_list([{key: list(records[key]) for key in keys}])  # one dict per rank, in rank order
    return reduced, {key: [item for part in parts for item in part[key]] for key in keys}


def result_line(stage: str, headline: str, loss: float | None = None, scenes: int | None = None) -> str:
    """``"<stage> result: <headline>[ loss L][ (N scenes)]"``: the line the logs (and tests) look for."""
    line = f"{stage} result: {headline}"
    if loss is not None:
        line += f" loss {loss:.4f}"
    if scenes is not None:
        line += f" ({scenes} scenes)"
    return line


class DatasetEvaluator:
    """Base: ``reset()``, ``process(batch, output)`` per batch or scene, ``evaluate() -> dict``.

    Subclasses put summable tensors (float64, on ``self.device`` so NCCL can reduce them) in ``self._sums``
    and per-scene records in ``self._records`` in ``reset``, and score the reduced state in ``score``.
    The base also counts scenes and averages the batches' ``loss`` (when the output has one): after
    ``evaluate()``, ``num_scenes`` and ``mean_loss`` (NaN without losses) hold the totals over all ranks.
    """

    #: whether :meth:`result_lines` names the number of scenes (the instance and detection logs do)
    logs_scene_count: bool = True

    def __init__(self, device: torch.device | str | None = None):
        self.device = torch.device(device) if device is not None else default_device()
        self.reset()

    def reset(self) -> None:
        """Forget everything processed; call before each pass over the data."""
        count = torch.zeros(3, dtype=torch.float64, device=self.device)  # loss sum, batches with a loss, scenes
        self._sums: dict[str, torch.Tensor] = {"_count": count}
        self._records: dict[str, list[Any]] = {}
        self.num_scenes = 0
        self.mean_loss = math.nan

    def process(self, batch: Mapping[str, Any], output: Mapping[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _count(self, output: Mapping[str, Any], scenes: int) -> None:
        """Adds ``scenes`` and the batch's loss (when ``output`` has one) to the bookkeeping."""
        count = self._sums["_count"]
        count[2] += scenes
        if "loss" in output:
            count[0] += float(output["loss"])
            count[1] += 1

    def evaluate(self) -> dict:
        """The metrics over every rank's processed data (the same dict on every rank)."""
        sums, records = reduce_across_ranks(self._sums, self._records)
        loss_sum, loss_batches, scenes = sums.pop("_count").tolist()
        self.num_scenes = int(scenes)
        self.mean_loss = loss_sum / loss_batches if loss_batches > 0 else math.nan
        return self.score(sums, records)

    def score(self, sums: dict[str, torch.Tensor], records: dict[str, list[Any]]) -> dict:  # pragma: no cover
        raise NotImplementedError

    def headline(self, metrics: Mapping[str, Any]) -> str:  # pragma: no cover
        """The headline numbers of the result line, e.g. ``"mIoU/mAcc/allAcc 0.5/0.6/0.7"``."""
        raise NotImplementedError

    def table(self, metrics: Mapping[str, Any]) -> str:  # pragma: no cover
        """The per-class table of the log."""
        raise NotImplementedError

    def scalars(self, metrics: Mapping[str, Any]) -> dict[str, float]:  # pragma: no cover
        """The headline numbers by their tensorboard name (``val/<name>``)."""
        raise NotImplementedError

    def result_lines(self, metrics: Mapping[str, Any], stage: str, loss: float | None = None) -> list[str]:
        """The result line (``"Val result: ..."`` / ``"Test result: ..."``) and the per-class table."""
        scenes = self.num_scenes if self.logs_scene_count else None
        return [result_line(stage, self.headline(metrics), loss, scenes), "\n" + self.table(metrics)]


# ---------------------------------------------------------------------------------------------- semseg
class SemSegDatasetEvaluator(DatasetEvaluator):
    """Per-class intersection/union/target counts, summed over ranks, scored by :func:`semseg_metrics`.

    ``process`` takes a collated batch with ``segment`` (and ``origin_segment`` + ``inverse`` to score every
    original point) and an output with ``seg_logits`` (N, C) or ``pred`` (N,) labels; a tester passes one
    scene's ``segment`` on its points and the voted ``pred``.
    """

    logs_scene_count = False

    def __init__(
        self,
        num_classes: int,
        ignore_index: int = -1,
        class_names: Sequence[str] | None = None,
        device: torch.device | str | None = None,
    ):
        self.num_classes = int(num_classes)
        self.ignore_index = ignore_index
        self.class_names = class_names
        super().__init__(device)

    @classmethod
    def from_config(cls, cfg: Any, device: torch.device | str | None = None) -> "SemSegDatasetEvaluator":
        """The evaluator of ``cfg.data`` (``num_classes``, ``ignore_index``, ``names``) for hook and tester."""
        return cls(cfg.data.num_classes, cfg.data.get("ignore_index", -1), cfg.data.get("names"), device)

    def reset(self) -> None:
        super().reset()
        self._sums["area"] = torch.zeros(3, self.num_classes, dtype=torch.float64, device=self.device)

    def process(self, batch: Mapping[str, Any], output: Mapping[str, Any]) -> tuple[torch.Tensor, ...]:
        """Counts this batch (or scene); returns its (intersection, union, target) per class, so a tester
        can log a per-scene mIoU."""
        pred = output["pred"] if "pred" in output else output["seg_logits"].argmax(dim=1)
        segment = batch["segment"]
        if "origin_segment" in batch:
            if "inverse" not in batch:
                raise KeyError("val pipeline keeps 'origin_segment' but no 'inverse' to map predictions back")
            pred = pred[torch.as_tensor(batch["inverse"]).to(pred.device).long()]
            segment = batch["origin_segment"]
        pred = torch.as_tensor(pred).to(self.device).reshape(-1)
        segment = torch.as_tensor(segment).to(self.device).reshape(-1)
        if len(pred) != len(segment):
            raise RuntimeError(
                f"scene {batch.get('name', '?')}: {len(pred)} predictions for {len(segment)} labelled points"
            )
        counts = intersection_and_union(pred, segment, self.num_classes, self.ignore_index)
        self._sums["area"] += torch.stack([c.to(torch.float64) for c in counts])
        self._count(output, len(batch["offset"]) if "offset" in batch else 1)
        return counts

    def score(self, sums: dict[str, torch.Tensor], records: dict[str, list[Any]]) -> dict:
        return semseg_metrics(*sums["area"].cpu().numpy(), class_names=self.class_names)

    def headline(self, metrics: Mapping[str, Any]) -> str:
        return f"mIoU/mAcc/allAcc {metrics['mIoU']:.4f}/{metrics['mAcc']:.4f}/{metrics['allAcc']:.4f}"

    def table(self, metrics: Mapping[str, Any]) -> str:
        return format_class_table(metrics)

    def scalars(self, metrics: Mapping[str, Any]) -> dict[str, float]:
        return {key: metrics[key] for key in ("mIoU", "mAcc", "allAcc")}


# ---------------------------------------------------------------------------------------------- instance
def evaluated_class_ids(cfg: Any, segment_ignore_index: Sequence[int] | None = None) -> list[int]:
    """Class indices scored by AP: all but the stuff ones (default: the model's ``segment_ignore_index``)."""
    if segment_ignore_index is None:
        segment_ignore_index = cfg.model.get("segment_ignore_index", (-1,))
    return [c for c in range(cfg.data.num_classes) if c not in set(segment_ignore_index)]


def split_scenes(input_dict: Mapping[str, Any], output: Mapping[str, Any]) -> Iterator[dict]:
    """Per-sample scenes of a collated batch for :func:`match_scene`: predictions and labels on every
    original point when the pipeline kept ``origin_segment``/``origin_instance`` and ``inverse``."""
    offset = torch.as_tensor(input_dict["offset"]).cpu().reshape(-1).tolist()
    masks = output["pred_masks"].cpu()
    classes, scores = output["pred_classes"].cpu(), output["pred_scores"].cpu()
    sample_of = output.get("pred_batch", torch.zeros(len(masks), dtype=torch.long)).cpu()
    original = "origin_segment" in input_dict
    if original:
        for key in ("origin_instance", "inverse", "origin_offset"):
            if key not in input_dict:
                raise KeyError(f"InsSegEvaluator: the val pipeline keeps 'origin_segment' but not {key!r}")
        bounds = [0] + input_dict["origin_offset"].cpu().tolist()
        inverse = input_dict["inverse"].cpu()
        segment, instance = input_dict["origin_segment"].cpu(), input_dict["origin_instance"].cpu()
    else:
        bounds = [0] + offset
        segment, instance = input_dict["segment"].cpu(), input_dict["instance"].cpu()
    names = input_dict.get("name") or [f"sample{b}" for b in range(len(offset))]
    for b in range(len(offset)):
        lo, hi = bounds[b], bounds[b + 1]
        rows = sample_of == b
        columns = inverse[lo:hi] if original else torch.arange(lo, hi)
        yield dict(
            name=str(names[b]),
            gt_segment=segment[lo:hi].numpy(),
            gt_instance=instance[lo:hi].numpy(),
            pred_masks=masks[rows][:, columns].numpy(),
            pred_classes=classes[rows].numpy(),
            pred_scores=scores[rows].numpy(),
        )


class InsSegDatasetEvaluator(DatasetEvaluator):
    """ScanNet instance AP: each scene is reduced to overlap counts on its rank (:func:`match_scene`), the
    small summaries are gathered and scored by :func:`evaluate_matches`.

    ``process`` takes a collated batch (``offset``, ``segment``/``instance`` or ``origin_*`` + ``inverse``)
    and an output with ``pred_masks`` (M, voxels), ``pred_classes``, ``pred_scores`` and ``pred_batch``; a
    tester passes one scene with ``offset`` = [points] and its masks on those points.
    """

    def __init__(
        self,
        class_ids: Sequence[int],
        num_classes: int | None = None,
        class_names: Sequence[str] | None = None,
        min_region_size: int = 100,
        device: torch.device | str | None = None,
    ):
        self.class_ids = list(class_ids)
        self.num_classes = num_classes
        self.class_names = class_names
        self.min_region_size = min_region_size
        super().__init__(device)

    @classmethod
    def from_config(
        cls,
        cfg: Any,
        segment_ignore_index: Sequence[int] | None = None,
        min_region_size: int = 100,
        device: torch.device | str | None = None,
    ) -> "InsSegDatasetEvaluator":
        """The evaluator of ``cfg`` (evaluated classes: :func:`evaluated_class_ids`) for hook and tester."""
        return cls(evaluated_class_ids(cfg, segment_ignore_index), cfg.data.num_classes, cfg.data.get("names"),
                   min_region_size, device)

    def reset(self) -> None:
        super().reset()
        self._records["matches"] = []

    def process(self, batch: Mapping[str, Any], output: Mapping[str, Any]) -> list[dict]:
        """Matches every scene of the batch; returns the scenes (fields of :func:`match_scene`, numpy, on
        original points), so a tester can write them as a benchmark submission."""
        scenes = list(split_scenes(batch, output))
        for scene in scenes:
            self._records["matches"].append(
                match_scene(scene, self.class_ids, self.min_region_size, num_classes=self.num_classes)
            )
        self._count(output, len(scenes))
        return scenes

    def score(self, sums: dict[str, torch.Tensor], records: dict[str, list[Any]]) -> dict:
        return evaluate_matches(records["matches"], self.class_ids, self.class_names, self.min_region_size)

    def headline(self, metrics: Mapping[str, Any]) -> str:
        return f"AP/AP50/AP25 {metrics['ap']:.4f}/{metrics['ap50']:.4f}/{metrics['ap25']:.4f}"

    def table(self, metrics: Mapping[str, Any]) -> str:
        return format_ap_table(metrics)

    def scalars(self, metrics: Mapping[str, Any]) -> dict[str, float]:
        return {key.upper(): metrics[key] for key in ("ap", "ap50", "ap25")}


# ---------------------------------------------------------------------------------------------- detection
def split_ground_truth(input_dict: Mapping[str, Any]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per-sample ``(boxes (K, 7), classes (K,))`` of a collated batch (``gt_boxes_offset`` splits them)."""
    if "gt_boxes_offset" not in input_dict:
        raise KeyError("detection evaluation needs 'gt_boxes', 'gt_classes' and 'gt_boxes_offset' in the batch")
    bounds = [0] + input_dict["gt_boxes_offset"].cpu().tolist()
    boxes = input_dict["gt_boxes"].cpu().double().numpy().reshape(-1, 7)
    classes = input_dict["gt_classes"].cpu().numpy().reshape(-1)
    return [(boxes[lo:hi], classes[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]


class DetectionDatasetEvaluator(DatasetEvaluator):
    """VoteNet-style box mAP: per-scene box lists gathered in rank order and scored by :func:`box_map`.

    ``process`` takes a collated batch (``gt_boxes``, ``gt_classes``, ``gt_boxes_offset``) and an output
    with ``predictions``: one ``(boxes, classes, scores)`` per sample; the tester's batch is its one scene.
    """

    def __init__(
        self,
        iou_thresholds: Sequence[float] = (0.25, 0.5),
        class_names: Sequence[str] | None = None,
        device: torch.device | str | None = None,
    ):
        self.iou_thresholds = tuple(iou_thresholds)
        self.class_names = class_names
        super().__init__(device)

    @classmethod
    def from_config(
        cls, cfg: Any, iou_thresholds: Sequence[float] = (0.25, 0.5), device: torch.device | str | None = None
    ) -> "DetectionDatasetEvaluator":
        """The evaluator of ``cfg.data.names`` at ``iou_thresholds``, as hook and tester build it."""
        return cls(iou_thresholds, cfg.data.get("names"), device)

    def reset(self) -> None:
        super().reset()
        self._records["preds"] = []
        self._records["gts"] = []

    def process(self, batch: Mapping[str, Any], output: Mapping[str, Any]) -> list[tuple[tuple, tuple]]:
        """Records every scene of the batch; returns its ``(prediction, ground truth)`` pairs."""
        preds = list(output["predictions"])
        gts = split_ground_truth(batch)
        if len(preds) != len(gts):
            raise ValueError(f"detection evaluation: {len(preds)} predicted scenes for {len(gts)} in the batch")
        self._records["preds"] += preds
        self._records["gts"] += gts
        self._count(output, len(gts))
        return list(zip(preds, gts))

    def score(self, sums: dict[str, torch.Tensor], records: dict[str, list[Any]]) -> dict:
        return box_map(records["preds"], records["gts"], self.iou_thresholds, self.class_names)

    def headline(self, metrics: Mapping[str, Any]) -> str:
        keys = [key for key in metrics if key.startswith("mAP@")]
        return "/".join(keys) + " " + "/".join(f"{metrics[key]:.4f}" for key in keys)

    def table(self, metrics: Mapping[str, Any]) -> str:
        return format_detection_table(metrics)

    def scalars(self, metrics: Mapping[str, Any]) -> dict[str, float]:
        return {key: value for key, value in metrics.items() if key.startswith("mAP@")}
