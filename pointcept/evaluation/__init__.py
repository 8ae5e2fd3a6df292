"""Metric math as pure functions (semantic segmentation, instance AP, detection mAP) and the dataset
evaluators that accumulate predictions, reduce them across ranks and score them with those functions."""

from .evaluator import (
    DatasetEvaluator,
    DetectionDatasetEvaluator,
    InsSegDatasetEvaluator,
    SemSegDatasetEvaluator,
    reduce_across_ranks,
)
from .semseg import format_class_table, intersection_and_union, semseg_metrics

__all__ = [
    "intersection_and_union", "semseg_metrics", "format_class_table",
    "DatasetEvaluator", "SemSegDatasetEvaluator", "InsSegDatasetEvaluator", "DetectionDatasetEvaluator",
    "reduce_across_ranks",
]
