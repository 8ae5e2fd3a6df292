"""Farthest point sampling, ball query and grouping against brute-force references; CPU/CUDA parity."""

import numpy as np
import pytest
import torch

from pointcept.models.layers.point_ops import ball_query, furthest_point_sample, group_points, pad_by_offset


def fps_reference(xyz: np.ndarray, num: int) -> list[int]:
    """Textbook FPS in float32 with the same rounding (per-axis squares summed left to right)."""
    xyz = xyz.astype(np.float32)
    chosen, distance = [0], np.full(len(xyz), np.inf, dtype=np.float32)
    for _ in range(num - 1):
        d = xyz - xyz[chosen[-1]]
        distance = np.minimum(distance, d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] + d[:, 2] * d[:, 2])
        chosen.append(int(np.argmax(distance)))
    return chosen


def ball_reference(xyz: np.ndarray, centres: np.ndarray, radius: float, nsample: int):
    xyz, centres = xyz.astype(np.float32), centres.astype(np.float32)
    r2 = np.float32(radius * radius)
    idx, count = np.zeros((len(centres), nsample), dtype=np.int64), np.zeros(len(centres), dtype=np.int64)
    for m, c in enumerate(centres):
        d = xyz - c
        inside = np.flatnonzero(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] + d[:, 2] * d[:, 2] < r2)
        count[m] = min(len(inside), nsample)
        if len(inside):
            first = inside[:nsample]
            idx[m] = np.concatenate([first, np.full(nsample - len(first), first[0])])
    return idx, count


def test_fps_matches_brute_force_and_spreads():
    rng = np.random.default_rng(0)
    xyz = rng.uniform(0, 4, (2, 700, 3)).astype(np.float32)
    got = furthest_point_sample(torch.from_numpy(xyz), 64)
    for b in range(2):
        assert got[b].tolist() == fps_reference(xyz[b], 64)
    assert len(set(got[0].tolist())) == 64


def test_fps_respects_lengths_and_repeats_when_short():
    rng = np.random.default_rng(1)
    xyz = rng.uniform(0, 1, (2, 50, 3)).astype(np.float32)
    xyz[1, 20:] = 100.0  # padding far away: would be picked first if it were not masked
    got = furthest_point_sample(torch.from_numpy(xyz), 30, torch.tensor([50, 20]))
    assert got[1].max() < 20 and len(set(got[1].tolist())) == 20  # all 20 real points, then repeats
    assert got[1, :20].tolist() == fps_reference(xyz[1, :20], 20)
    assert got[0].tolist() == fps_reference(xyz[0], 30)


@pytest.mark.parametrize("radius, nsample", [(0.3, 16), (0.1, 4), (1.5, 32)])
def test_ball_query_matches_brute_force(radius, nsample):
    rng = np.random.default_rng(2)
    xyz = rng.uniform(0, 3, (2, 900, 3)).astype(np.float32)
    centres = np.concatenate([xyz[:, :40], rng.uniform(-1, 4, (2, 30, 3)).astype(np.float32)], axis=1)
    idx, count = ball_query(radius, nsample, torch.from_numpy(xyz), torch.from_numpy(centres), chunk=16)
    for b in range(2):
        ref_idx, ref_count = ball_reference(xyz[b], centres[b], radius, nsample)
        assert idx[b].numpy().tolist() == ref_idx.tolist()
        assert count[b].numpy().tolist() == ref_count.tolist()
    assert (count == 0).any() and (count > 1).any()  # empty and shared balls both exercised
    if radius > 1:
        assert (count == nsample).all() or (count[:, :40] == nsample).all()  # saturated balls


def test_ball_query_ignores_padding():
    xyz = torch.zeros(1, 10, 3)
    xyz[0, 5:] = 0.01  # padding rows inside the ball
    idx, count = ball_query(0.5, 8, xyz, torch.zeros(1, 1, 3), lengths=torch.tensor([5]))
    assert count.item() == 5 and idx.max().item() < 5


def test_group_points_and_pad_by_offset():
    feats = torch.arange(24, dtype=torch.float32).reshape(2, 4, 3)
    idx = torch.tensor([[[3, 0]], [[1, 1]]])
    assert group_points(feats, idx).tolist() == [[[[9, 10, 11], [0, 1, 2]]], [[[15, 16, 17], [15, 16, 17]]]]
    values = torch.arange(5, dtype=torch.float32)[:, None]
    padded, lengths = pad_by_offset(values, torch.tensor([2, 2, 5]), fill=-1)
    assert lengths.tolist() == [2, 0, 3]
    assert padded[..., 0].tolist() == [[0, 1, -1], [-1, -1, -1], [2, 3, 4]]


@pytest.mark.gpu
def test_point_ops_cpu_cuda_parity():
    rng = np.random.default_rng(3)
    xyz = torch.from_numpy(rng.uniform(0, 5, (2, 20000, 3)).astype(np.float32))
    lengths = torch.tensor([20000, 15000])
    cpu = furthest_point_sample(xyz, 512, lengths)
    gpu = furthest_point_sample(xyz.cuda(), 512, lengths.cuda())
    assert torch.equal(cpu, gpu.cpu())
    centres = torch.gather(xyz, 1, cpu[..., None].expand(-1, -1, 3))
    idx_cpu, count_cpu = ball_query(0.3, 16, xyz, centres, lengths)
    idx_gpu, count_gpu = ball_query(0.3, 16, xyz.cuda(), centres.cuda(), lengths.cuda())
    assert torch.equal(idx_cpu, idx_gpu.cpu()) and torch.equal(count_cpu, count_gpu.cpu())
    feats = torch.randn(2, 20000, 8)
    assert torch.equal(group_points(feats, idx_cpu), group_points(feats.cuda(), idx_gpu).cpu())
