"""SpUNet-v1m1: the sparse-conv U-Net backbone of Pointcept, checkpoint-compatible with it.

Its ``state_dict`` (names, shapes and order, BN buffers included) equals Pointcept's ``SpUNet-v1m1``, so
released checkpoints load with ``strict=True``; ``tests/models/data/spunet_v1m1_state_dict.json`` freezes it.
Hence the attribute names (``conv_input``, ``down``, ``up``, ``enc``, ``dec``, ``final``, ``block{i}``), their
registration order and the module order inside each ``SparseSequential`` are fixed. Layer arguments that do
nothing for submanifold convs (the stem's and head's ``padding``) follow Pointcept too.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

import torch
import torch.nn as nn

from pointcept.models.builder import MODELS
from pointcept.models.layers.sparse_backend import spconv
from pointcept.models.layers.sparse_blocks import BasicBlock, sparse_batch_norm
from pointcept.models.utils import offset2batch


def _conv_norm_relu(conv: nn.Module, channels: int) -> spconv.SparseSequential:
    return spconv.SparseSequential(conv, sparse_batch_norm(channels), nn.ReLU())


def _blocks(in_channels: int, channels: int, depth: int, indice_key: str) -> spconv.SparseSequential:
    """``depth`` residual blocks named ``block0..``; only the first changes the width."""
    return spconv.SparseSequential(
        OrderedDict(
            (f"block{i}", BasicBlock(in_channels if i == 0 else channels, channels, indice_key=indice_key))
            for i in range(depth)
        )
    )


@MODELS.register_module("SpUNet-v1m1")
class SpUNetBase(nn.Module):
    """Sparse U-Net on voxels: a 5x5x5 stem, ``len(layers) // 2`` stride-2 encoder stages, as many decoder
    stages (inverse convs back onto the encoder's voxels, concatenated with its skip features), a 1x1x1 head.

    ``channels``/``layers`` list the encoder stages then the decoder stages (decoder listed coarse to fine).
    ``num_classes=0`` drops the head (per-point features of width ``channels[-1]``, for pretraining);
    ``enc_mode=True`` drops the decoder and returns one mean-pooled vector per sample. ``bn_momentum`` is
    the BatchNorm running-statistics momentum (Pointcept's 0.01 by default).
    """

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        base_channels: int = 32,
        channels: Sequence[int] = (32, 64, 128, 256, 256, 128, 96, 96),
        layers: Sequence[int] = (2, 3, 4, 6, 2, 2, 2, 2),
        enc_mode: bool = False,
        bn_momentum: float = 0.01,
    ):
        super().__init__()
        if len(layers) != len(channels) or len(layers) % 2:
            raise ValueError(f"channels and layers need one equal, even length; got {channels} and {layers}")
        self.in_channels = in_channels
        self.num_classes = num_classes
        self.base_channels = base_channels
        self.channels = tuple(channels)
        self.layers = tuple(layers)
        self.num_stages = len(layers) // 2
        self.enc_mode = enc_mode
        n, stages = len(channels), range(self.num_stages)

        self.conv_input = _conv_norm_relu(
            spconv.SubMConv3d(
                in_channels, base_channels, kernel_size=5, padding=1, bias=False, indice_key="stem"
            ),
            base_channels,
        )
        # Encoder stage s: skip_channels[s] -> channels[s], at 1/2^(s+1) resolution. Decoder stage s (run
        # coarse to fine): up_in_channels[s] -> dec_channels[s] onto skip s's voxels, then concatenated.
        skip_channels = [base_channels] + list(channels[: self.num_stages - 1])
        dec_channels = [channels[n - 1 - s] for s in stages]
        up_in_channels = [channels[n - 2 - s] for s in stages]  # = dec_channels[s + 1], or the bottleneck
        # Registration order (down, up, enc, dec) is Pointcept's: it fixes the order of parameters(), which
        # optimizer checkpoints index by position.
        self.down = nn.ModuleList()
        self.up = nn.ModuleList()
        self.enc = nn.ModuleList()
        self.dec = None if enc_mode else nn.ModuleList()
        for s in stages:
            self.down.append(
                _conv_norm_relu(
                    spconv.SparseConv3d(
                        skip_channels[s],
                        channels[s],
                        kernel_size=2,
                        stride=2,
                        bias=False,
                        indice_key=f"spconv{s + 1}",
                    ),
                    channels[s],
                )
            )
            self.enc.append(_blocks(channels[s], channels[s], layers[s], f"subm{s + 1}"))
            if enc_mode:
                continue
            self.up.append(
                _conv_norm_relu(
                    spconv.SparseInverseConv3d(
                        up_in_channels[s],
                        dec_channels[s],
                        kernel_size=2,
                        bias=False,
                        indice_key=f"spconv{s + 1}",  # inverts down[s]: restores its input voxels
                    ),
                    dec_channels[s],
                )
            )
            self.dec.append(
                _blocks(dec_channels[s] + skip_channels[s], dec_channels[s], layers[n - 1 - s], f"subm{s}")
            )

        self.feature_channels = channels[self.num_stages - 1] if enc_mode else channels[-1]
        self.out_channels = num_classes if num_classes > 0 else self.feature_channels
        self.final = (
            spconv.SubMConv3d(self.feature_channels, num_classes, kernel_size=1, padding=1, bias=True)
            if num_classes > 0
            else nn.Identity()
        )
        self.apply(self._init_weights)
        # Pointcept's 0.01 suits long schedules; short runs (demo, CPU budgets) need the running statistics
        # to catch up within a few hundred steps, or eval-mode outputs lag far behind training.
        for module in self.modules():
            if isinstance(module, nn.BatchNorm1d):
                module.momentum = bn_momentum

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        """Pointcept's init: truncated normal (std 0.02) for SubM convs and linears, unit BN; the strided and
        inverse convs keep spconv's default init."""
        if isinstance(module, (nn.Linear, spconv.SubMConv3d)):
            nn.init.trunc_normal_(module.weight, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.BatchNorm1d):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)

    def _sparsify(self, data_dict: dict) -> spconv.SparseConvTensor:
        grid_coord, feat, offset = data_dict["grid_coord"], data_dict["feat"], data_dict["offset"]
        lo, hi = torch.stack(torch.aminmax(grid_coord, dim=0)).tolist()  # one device sync
        if min(lo) < 0:
            raise ValueError(f"grid_coord must be >= 0 (got per-axis minimum {lo}); shift it first")
        # Any shape holding every voxel gives the same result; a multiple of 2^num_stages keeps every strided
        # level even, so no voxel falls off the end (Pointcept pads max + 96 for the same reason).
        step = 2**self.num_stages
        spatial_shape = [(h + step) // step * step for h in hi]
        batch = offset2batch(offset)
        # spconv reads indices as raw row-major int32 memory: a non-contiguous tensor is silently misread.
        indices = torch.cat([batch.unsqueeze(-1), grid_coord.long()], dim=1).int().contiguous()
        return spconv.SparseConvTensor(
            features=feat.contiguous(), indices=indices, spatial_shape=spatial_shape, batch_size=len(offset)
        )

    def forward_features(self, data_dict: dict) -> spconv.SparseConvTensor:
        """Backbone output before the head: per-voxel features (``feature_channels`` wide), in input order;
        in ``enc_mode`` the coarsest encoder voxels instead."""
        x = self.conv_input(self._sparsify(data_dict))
        skips = [x]
        for down, enc in zip(self.down, self.enc):
            x = enc(down(x))
            skips.append(x)
        x = skips.pop()
        if not self.enc_mode:
            for s in reversed(range(self.num_stages)):
                x = self.up[s](x)
                # The inverse conv returns exactly the skip's voxels in the skip's order, so rows line up.
                x = x.replace_feature(torch.cat((x.features, skips.pop().features), dim=1))
                x = self.dec[s](x)
        return x

    def forward(self, data_dict: dict) -> torch.Tensor:
        """(N, out_channels) per-point outputs, or (batch_size, out_channels) pooled ones in ``enc_mode``."""
        x = self.final(self.forward_features(data_dict))
        if not self.enc_mode:
            return x.features
        batch = x.indices[:, 0].long()
        sums = x.features.new_zeros(x.batch_size, x.features.shape[1]).index_add_(0, batch, x.features)
        counts = torch.bincount(batch, minlength=x.batch_size).clamp_min(1).unsqueeze(1)
        return sums / counts.to(sums.dtype)


__all__ = ["SpUNetBase"]
