"""VoteNet's box parametrisation: heading as bin + residual, size as class (= semantic class) + residual
from a per-class mean size. Encoding and decoding live together so targets and predictions can never
disagree on the convention (:mod:`pointcept.utils.boxes`: heading counter-clockwise about +z, full sizes,
the datasets' ``gt_boxes``)."""

from __future__ import annotations

import math
from typing import Sequence

import torch

from pointcept.utils.boxes import wrap_angle

__all__ = ["BoxCoder"]


class BoxCoder:
    """Args:
        num_heading_bin: bins over [0, 2*pi); bin k is centred at ``k * 2*pi / num_heading_bin``.
        mean_sizes: (num_size_cluster, 3) mean full sizes dx, dy, dz per class (``tools/compute_mean_sizes.py``).
    """

    def __init__(self, num_heading_bin: int, mean_sizes: Sequence[Sequence[float]]):
        if num_heading_bin < 1:
            raise ValueError(f"num_heading_bin must be >= 1, got {num_heading_bin}")
        self.num_heading_bin = int(num_heading_bin)
        self.mean_sizes = torch.as_tensor(mean_sizes, dtype=torch.float32).reshape(-1, 3)
        if (self.mean_sizes <= 0).any():
            raise ValueError(f"mean sizes must be positive, got {self.mean_sizes.tolist()}")
        self.bin_width = 2 * math.pi / self.num_heading_bin

    @property
    def num_size_cluster(self) -> int:
        return len(self.mean_sizes)

    def encode_heading(self, angle: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Heading (rad) -> (bin, residual in [-bin_width/2, bin_width/2))."""
        shifted = torch.remainder(angle.float() + self.bin_width / 2, 2 * math.pi)
        bins = torch.clamp((shifted / self.bin_width).floor().long(), 0, self.num_heading_bin - 1)
        residual = shifted - (bins.float() * self.bin_width + self.bin_width / 2)
        return bins, residual

    def decode_heading(self, bins: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        """(bin, residual) -> heading wrapped to [-pi, pi)."""
        return wrap_angle(bins.float() * self.bin_width + residual)

    def mean_size(self, size_class: torch.Tensor) -> torch.Tensor:
        return self.mean_sizes.to(size_class.device)[size_class]

    def encode_size(self, size: torch.Tensor, size_class: torch.Tensor) -> torch.Tensor:
        """Residual of ``size`` (..., 3) from its class's mean size."""
        return size.float() - self.mean_size(size_class)

    def decode(
        self,
        centre: torch.Tensor,
        heading_scores: torch.Tensor,
        heading_residuals_normalized: torch.Tensor,
        size_scores: torch.Tensor,
        size_residuals_normalized: torch.Tensor,
        axis_aligned: bool = False,
        min_size: float = 1e-2,
    ) -> torch.Tensor:
        """Network outputs (..., P, ·) -> boxes (..., P, 7): the best heading bin and size class with their
        residuals (normalised by ``pi / num_heading_bin`` and by the mean size, as predicted). Sizes are
        clamped to ``min_size`` so every decoded box is a valid box; ``axis_aligned`` forces heading 0."""
        heading_bin = heading_scores.argmax(dim=-1)
        residual = torch.gather(heading_residuals_normalized, -1, heading_bin[..., None]).squeeze(-1)
        heading = self.decode_heading(heading_bin, residual * (math.pi / self.num_heading_bin))
        if axis_aligned:
            heading = torch.zeros_like(heading)
        size_class = size_scores.argmax(dim=-1)
        index = size_class[..., None, None].expand(*size_class.shape, 1, 3)
        size_residual = torch.gather(size_residuals_normalized, -2, index).squeeze(-2)
        mean = self.mean_size(size_class)
        size = (mean + size_residual * mean).clamp_min(min_size)
        return torch.cat([centre, size, heading[..., None]], dim=-1)
