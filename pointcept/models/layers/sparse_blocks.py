"""Sparse residual blocks shared by the sparse-conv models (SpUNet now; other sparse backbones later).

Attribute names (``conv1``, ``bn1``, ``conv2``, ``bn2``, ``proj``) are part of the checkpoint format: they
match Pointcept's ``BasicBlock`` so its checkpoints load key-for-key. Do not rename them.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

import torch.nn as nn

from pointcept.models.layers.sparse_backend import spconv

NormFactory = Callable[[int], nn.Module]

# Pointcept's sparse nets use BatchNorm1d on voxel features with these (non-default) eps and momentum.
sparse_batch_norm: NormFactory = partial(nn.BatchNorm1d, eps=1e-3, momentum=0.01)


class BasicBlock(spconv.SparseModule):
    """Residual block: two 3x3x3 submanifold convs with norm and ReLU, plus a shortcut.

    The shortcut is the identity when the width is unchanged, else a 1x1x1 submanifold conv + norm (``proj``),
    e.g. for a decoder block that takes upsampled and skip features concatenated.
    ``indice_key`` lets the blocks of one resolution share their neighbour tables (built once per forward).
    """

    expansion = 1

    def __init__(
        self,
        in_channels: int,
        embed_channels: int,
        norm_fn: NormFactory = sparse_batch_norm,
        indice_key: str | None = None,
        bias: bool = False,
    ):
        super().__init__()
        if in_channels == embed_channels:
            self.proj = spconv.SparseSequential(nn.Identity())  # no parameters, no state-dict keys
        else:
            self.proj = spconv.SparseSequential(
                spconv.SubMConv3d(in_channels, embed_channels, kernel_size=1, bias=False),
                norm_fn(embed_channels),
            )
        self.conv1 = spconv.SubMConv3d(
            in_channels, embed_channels, kernel_size=3, padding=1, bias=bias, indice_key=indice_key
        )
        self.bn1 = norm_fn(embed_channels)
        self.relu = nn.ReLU()
        self.conv2 = spconv.SubMConv3d(
            embed_channels, embed_channels, kernel_size=3, padding=1, bias=bias, indice_key=indice_key
        )
        self.bn2 = norm_fn(embed_channels)

    def forward(self, x: spconv.SparseConvTensor) -> spconv.SparseConvTensor:
        out = self.conv1(x)
        out = out.replace_feature(self.relu(self.bn1(out.features)))
        out = self.conv2(out)
        shortcut = self.proj(x).features
        return out.replace_feature(self.relu(self.bn2(out.features) + shortcut))


__all__ = ["BasicBlock", "NormFactory", "sparse_batch_norm"]
