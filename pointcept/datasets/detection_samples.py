"""The sample protocol shared by every detection dataset (ScanNet, SUN RGB-D, demo rooms).

A detection sample is a whole scene through ``transform`` (the boxes-aware transforms come with the
VoteNet head); the segmentation test mode of :class:`DefaultDataset` (voxel fragments) does not apply.
Put :class:`DetectionSamples` before the dataset base class so its ``__getitem__`` wins.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DetectionSamples"]


class DetectionSamples:
    """Mixin for a :class:`DefaultDataset` subclass: every split yields whole, transformed scenes."""

    def __getitem__(self, idx: int) -> dict[str, Any]:
        """The transformed scene ``idx`` with the per-index RNG, in train and test mode alike."""
        return self.transform(self.get_data(idx), self.rng_for(idx))
