"""Sparse-convolution U-Nets (need a sparse backend: spconv or spconv-triton)."""

from .spunet import SpUNetBase

__all__ = ["SpUNetBase"]
