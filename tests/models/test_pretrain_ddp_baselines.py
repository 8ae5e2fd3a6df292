"""MSC-v1m1 and CSC (MSC-v1m2) on 2 gloo processes whose data differ: rank 1 has no matched pair at all.

Every rank must run the same collectives every step (DDP's gradient all-reduce and buffer broadcast,
SyncBatchNorm's all-reduces in forward and backward), whatever its data: here rank 1's two views are
disjoint (no pair, so no contrastive term) and it holds a single sample (nothing to mix with), while
rank 0 has pairs and mixes. A rank whose loss skipped the backbone, or a collective run only when there
are pairs, would make gloo fail ("Received data size doesn't match") or wait until the process-group
timeout; the test then fails instead of hanging. Afterwards both ranks must hold the same parameters.

SyncBatchNorm comes from the project's ``convert_sync_batchnorm``: on a CPU model it is the gloo-capable
class (torch's ``nn.SyncBatchNorm`` refuses CPU input, and DDP refuses it in a CPU module); on CUDA it is
``nn.SyncBatchNorm.convert_sync_batchnorm``.
"""

from __future__ import annotations

import datetime
import os
import time

import pytest
import torch

WORLD_SIZE = 2
STEPS = 2
DEADLINE_S = 150  # the whole spawn; each collective also times out after GLOO_TIMEOUT
GLOO_TIMEOUT = datetime.timedelta(seconds=45)

TINY = dict(type="SpUNet-v1m1", num_classes=0, base_channels=8, channels=(8, 8, 8, 8, 8, 8, 8, 8),
            layers=(1, 1, 1, 1, 1, 1, 1, 1), bn_momentum=0.1)
MODELS = {
    "MSC-v1m1": dict(type="MSC-v1m1", backbone=dict(TINY, in_channels=6), backbone_in_channels=6,
                     backbone_out_channels=8, mask_grid_size=0.3, mask_rate=0.4, view1_mix_prob=1.0,
                     matching_max_radius=0.05, matching_max_pair=256, reconstruct_color=True),
    "MSC-v1m2": dict(type="MSC-v1m2", backbone=dict(TINY, in_channels=3), backbone_in_channels=3,
                     backbone_out_channels=8, matching_max_radius=0.05, matching_max_pair=256, r1=0.3,
                     r2=0.6),
}


def rank_batch(rank: int, step: int, channels: int) -> dict[str, torch.Tensor]:
    """Two-view batch of a rank: rank 0 two overlapping samples; rank 1 one sample whose views are disjoint.

    Views are sets of 0.1 m voxels of an 8 x 8 x 4 grid; a voxel in both views is a matched pair (same
    origin). Rank 1's view 2 lies 100 m away in the matching frame, so it matches nothing.
    """
    g = torch.Generator().manual_seed(1000 * rank + step)
    views = {"view1": {}, "view2": {}}
    for _ in range(2 if rank == 0 else 1):
        flat = torch.randperm(8 * 8 * 4, generator=g)[:140]
        voxels = torch.stack([flat // 32, flat // 4 % 8, flat % 4], dim=1)
        for view, rows in (("view1", slice(0, 100)), ("view2", slice(40, 140))):
            grid = voxels[rows]
            origin = grid.float() * 0.1 + 0.05
            if rank == 1 and view == "view2":
                origin = origin + 100.0
            feat = torch.rand(len(grid), channels, generator=g)
            for key, value in (("grid_coord", grid), ("coord", grid.float() * 0.1), ("origin_coord", origin),
                               ("feat", feat), ("color", feat[:, :3])):
                views[view].setdefault(key, []).append(value)
    batch = {}
    for view, arrays in views.items():
        for key, parts in arrays.items():
            batch[f"{view}_{key}"] = torch.cat(parts)
        batch[f"{view}_offset"] = torch.cumsum(torch.tensor([len(p) for p in arrays["coord"]]), dim=0)
    return batch


def worker(rank: int, port: int, out_dir: str) -> None:
    import torch.distributed as dist
    from torch import nn

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=WORLD_SIZE,
                            timeout=GLOO_TIMEOUT)
    try:
        from pointcept.models import build_model
        from pointcept.models.layers.sync_batchnorm import convert_sync_batchnorm

        results = {}
        for name, cfg in MODELS.items():
            torch.manual_seed(rank)  # different weights per rank: DDP must broadcast rank 0's
            model = convert_sync_batchnorm(build_model(cfg), device="cpu")
            sync_layers = sum("SyncBatchNorm" in type(m).__name__ for m in model.modules())
            ddp = nn.parallel.DistributedDataParallel(model)
            initial = {k: v.detach().clone() for k, v in model.named_parameters()}
            optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
            steps = []
            for step in range(STEPS):
                torch.manual_seed(10 * rank + step)  # masks and mixing draws differ per rank
                out = ddp(rank_batch(rank, step, cfg["backbone_in_channels"]))
                optimizer.zero_grad(set_to_none=True)
                out["loss"].backward()
                optimizer.step()
                steps.append({k: float(v) for k, v in out.items() if v.numel() == 1})
            results[name] = {"params": {k: v.detach().clone() for k, v in model.named_parameters()},
                             "buffers": {k: v.detach().clone() for k, v in model.named_buffers()},
                             "initial": initial, "steps": steps, "sync_layers": sync_layers}
        torch.save(results, os.path.join(out_dir, f"rank{rank}.pt"))
        dist.barrier()  # no rank tears gloo down while the other still talks to it
    finally:
        dist.destroy_process_group()


def test_msc_and_csc_ddp_syncbn_with_a_rank_without_pairs(tmp_path):
    import torch.multiprocessing as mp

    from pointcept.engines.launch import find_free_port

    context = mp.start_processes(worker, args=(find_free_port(), str(tmp_path)), nprocs=WORLD_SIZE,
                                 join=False, start_method="spawn")
    deadline = time.monotonic() + DEADLINE_S
    try:
        while not context.join(timeout=1):  # raises if a rank failed (e.g. a collective mismatch)
            if time.monotonic() > deadline:
                pytest.fail(f"2-rank MSC/CSC training did not finish within {DEADLINE_S} s (a rank hangs "
                            "in a collective the other never runs)")
    finally:
        for process in context.processes:
            if process.is_alive():
                process.kill()
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=False) for r in range(WORLD_SIZE)]
    for name in MODELS:
        first, second = ranks[0][name], ranks[1][name]
        assert first["sync_layers"] > 0 and first["sync_layers"] == second["sync_layers"]
        # the data did what the test is about: pairs on rank 0 only, mixing on rank 0 only
        assert all(s["num_pairs"] > 50 for s in first["steps"]), first["steps"]
        assert all(s["num_pairs"] == 0 for s in second["steps"]), second["steps"]
        assert all(s["nce_loss"] > 0 for s in first["steps"])
        assert all(s["nce_loss"] == 0 for s in second["steps"])
        if name == "MSC-v1m1":  # rank 1 holds one sample: nothing to mix with
            assert all(s["mixed"] == 1 for s in first["steps"])
            assert all(s["mixed"] == 0 for s in second["steps"])
        assert first["params"].keys() == second["params"].keys()
        for key, value in first["params"].items():
            assert torch.equal(value, second["params"][key]), f"{name}: {key} differs across ranks"
        for key, value in first["buffers"].items():
            torch.testing.assert_close(value, second["buffers"][key], msg=f"{name}: buffer {key} differs")
        moved = [k for k, v in first["params"].items() if not torch.equal(v, first["initial"][k])]
        assert len(moved) > len(first["params"]) // 2, f"{name}: the steps changed almost nothing"
