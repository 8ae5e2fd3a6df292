"""Masked Scene Contrast (``MSC-v1m1``) and its variants PointContrast (``PointContrast-v1m1``) and CSC
(``MSC-v1m2`` = ``CSC-v1m1``): matched-point pretraining on the two-view batches GroupContrast uses."""

from .losses import csc_info_nce, csc_partitions, info_nce
from .model import ContrastiveSceneContexts, MaskedSceneContrast, PointContrast

__all__ = ["MaskedSceneContrast", "PointContrast", "ContrastiveSceneContexts", "csc_partitions",
           "csc_info_nce", "info_nce"]
