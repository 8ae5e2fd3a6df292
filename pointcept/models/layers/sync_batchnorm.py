"""Synchronised batch normalisation that also runs on the CPU (gloo), with torch's kernels on accelerators.

``torch.nn.SyncBatchNorm`` refuses CPU tensors ("SyncBatchNorm expected input tensor to be on GPU"), so a
``sync_bn=True`` config could not train with ``--num-gpus 2`` on a CPU, and the distributed code paths that
SyncBN makes collective (every BN call is one) could not be tested there (DDP also refuses torch's class
in a CPU module). :func:`convert_sync_batchnorm` therefore uses torch's class on accelerators and, for a
CPU model, :class:`SyncBatchNorm`: the same parameters, buffers and state-dict keys, with batch statistics
over the points of every rank through two differentiable all-reduces (sum and count, then the centred sum
of squares), so the gradient is that of BN over the union of all ranks' inputs, as with torch's kernels. A rank with no rows contributes zeros and still joins
both collectives; with no row anywhere the (empty) input is returned and the running statistics stay.
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.nn.functional import all_reduce as differentiable_all_reduce


class SyncBatchNorm(nn.modules.batchnorm._BatchNorm):
    """Batch norm over the rows of every rank of ``process_group`` (see the module docstring); plain batch
    norm without a process group or in eval mode."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device=device, dtype=dtype)
        self.process_group = process_group

    def _check_input_dim(self, input: torch.Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        if not self._needs_sync():
            return super().forward(input)
        return self._sync_forward(input)

    def _needs_sync(self) -> bool:
        if not (self.training and dist.is_available() and dist.is_initialized()):
            return False
        group = self.process_group or dist.group.WORLD
        return dist.get_world_size(group) > 1

    def _sync_forward(self, input: torch.Tensor) -> torch.Tensor:
        self._check_input_dim(input)
        group = self.process_group or dist.group.WORLD
        channels = input.shape[1]
        x = input.transpose(0, 1).reshape(channels, -1)  # (C, rows of all positions)
        local = torch.cat([x.sum(dim=1), x.new_tensor([float(x.shape[1])])])
        total = differentiable_all_reduce(local, group=group)
        count = total[-1]
        if float(count) == 0:
            return input * 1.0
        mean = total[:channels] / count
        centred = x - mean[:, None]
        var = differentiable_all_reduce((centred * centred).sum(dim=1), group=group) / count
        y = centred * torch.rsqrt(var + self.eps)[:, None]
        if self.affine:
            y = y * self.weight[:, None] + self.bias[:, None]
        if self.track_running_stats:
            self._update_running_stats(mean.detach(), var.detach(), float(count))
        return y.reshape(channels, input.shape[0], *input.shape[2:]).transpose(0, 1)

    @torch.no_grad()
    def _update_running_stats(self, mean: torch.Tensor, var: torch.Tensor, count: float) -> None:
        self.num_batches_tracked.add_(1)
        factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        self.running_mean.mul_(1 - factor).add_(mean, alpha=factor)
        if count > 1:  # unbiased variance, as torch's kernels store it
            self.running_var.mul_(1 - factor).add_(var * count / (count - 1), alpha=factor)


def convert_sync_batchnorm(module: nn.Module, device: torch.device | str = "cpu", process_group=None) -> nn.Module:
    """Every ``BatchNorm*d`` of ``module`` synchronised across ranks, weights, buffers and state-dict keys
    kept: torch's ``SyncBatchNorm`` for a model that will run on an accelerator, :class:`SyncBatchNorm`
    for one on the CPU (``device``)."""
    if torch.device(device).type != "cpu":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module, process_group)
    return _convert_for_cpu(module, process_group)


def _convert_for_cpu(module: nn.Module, process_group) -> nn.Module:
    output = module
    if isinstance(module, nn.modules.batchnorm._BatchNorm) and not isinstance(module, SyncBatchNorm):
        output = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                               module.track_running_stats, process_group)
        if module.affine:
            with torch.no_grad():
                output.weight = module.weight
                output.bias = module.bias
        output.running_mean = module.running_mean
        output.running_var = module.running_var
        output.num_batches_tracked = module.num_batches_tracked
        output.training = module.training
        if hasattr(module, "qconfig"):
            output.qconfig = module.qconfig
    for name, child in module.named_children():
        output.add_module(name, _convert_for_cpu(child, process_group))
    return output


__all__ = ["SyncBatchNorm", "convert_sync_batchnorm"]
