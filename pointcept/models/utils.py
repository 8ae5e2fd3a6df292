"""Batch bookkeeping for concatenated point clouds (kept here for Pointcept's import path)."""

from pointcept.utils.offsets import batch2offset, bincount2offset, offset2batch, offset2bincount, offset2starts

__all__ = ["offset2bincount", "bincount2offset", "offset2batch", "batch2offset", "offset2starts"]
