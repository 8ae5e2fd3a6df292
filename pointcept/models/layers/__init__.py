"""Shared model building blocks: the sparse-convolution backend and sparse residual blocks."""
