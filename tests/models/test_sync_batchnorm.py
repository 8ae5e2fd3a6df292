"""The CPU path of SyncBatchNorm: 2 gloo processes on uneven (and empty) inputs equal BN on their union."""

import datetime

import pytest
import torch
from torch import nn

from pointcept.engines.launch import launch
from pointcept.models.layers.sync_batchnorm import SyncBatchNorm, convert_sync_batchnorm

CHANNELS = 3


def rank_rows(rows):
    torch.manual_seed(0)
    data = torch.randn(sum(rows), CHANNELS, dtype=torch.float64) * 3 + 1
    return torch.split(data, rows)


def reference_bn():
    torch.manual_seed(1)
    bn = nn.BatchNorm1d(CHANNELS, momentum=0.3).double()
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-1, 1)
    return bn


def worker(rows, out_path):
    import torch.distributed as dist

    rank = dist.get_rank()
    x = rank_rows(rows)[rank].clone().requires_grad_(True)
    bn = convert_sync_batchnorm(nn.Sequential(reference_bn()))[0]
    assert isinstance(bn, SyncBatchNorm)
    y = bn(x)
    # an upstream gradient that differs per row, so the backward through the statistics matters
    (y * torch.arange(1, 1 + y.numel(), dtype=y.dtype).reshape(y.shape)).sum().backward()
    torch.save({"y": y.detach(), "x_grad": x.grad, "w_grad": bn.weight.grad, "b_grad": bn.bias.grad,
                "running_mean": bn.running_mean, "running_var": bn.running_var}, f"{out_path}.{rank}")


@pytest.mark.parametrize("rows", [(5, 9), (6, 0)], ids=["uneven", "rank1-empty"])
def test_cpu_sync_batchnorm_equals_batchnorm_on_the_union(tmp_path, rows):
    launch(worker, 2, args=(rows, str(tmp_path / "out")), timeout=datetime.timedelta(seconds=60))
    results = [torch.load(f"{tmp_path / 'out'}.{r}", weights_only=True) for r in range(2)]

    parts = rank_rows(rows)
    x = torch.cat(parts).clone().requires_grad_(True)
    bn = reference_bn()
    y = bn(x)
    weights = torch.cat([torch.arange(1, 1 + len(p) * CHANNELS, dtype=torch.float64).reshape(len(p), CHANNELS)
                         for p in parts])
    (y * weights).sum().backward()
    torch.testing.assert_close(torch.cat([r["y"] for r in results]), y.detach())
    torch.testing.assert_close(torch.cat([r["x_grad"] for r in results]), x.grad)
    # each rank holds the gradient of its own loss; DDP would average them: their sum is the union's
    torch.testing.assert_close(results[0]["w_grad"] + results[1]["w_grad"], bn.weight.grad)
    torch.testing.assert_close(results[0]["b_grad"] + results[1]["b_grad"], bn.bias.grad)
    for r in results:
        torch.testing.assert_close(r["running_mean"], bn.running_mean)
        torch.testing.assert_close(r["running_var"], bn.running_var)


def test_conversion_keeps_the_state_dict_and_single_process_behaviour():
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU())
    reference = {k: v.clone() for k, v in model.state_dict().items()}
    converted = convert_sync_batchnorm(model)
    assert isinstance(converted[1], SyncBatchNorm)
    assert converted.state_dict().keys() == reference.keys()
    x = torch.randn(8, 4)
    plain = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU())
    plain.load_state_dict(reference)
    torch.testing.assert_close(converted(x), plain(x))  # no process group: plain batch norm
