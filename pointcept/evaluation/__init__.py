"""Metric math as pure functions: semantic segmentation, instance AP, detection mAP."""

from .semseg import format_class_table, intersection_and_union, semseg_metrics

__all__ = ["intersection_and_union", "semseg_metrics", "format_class_table"]
