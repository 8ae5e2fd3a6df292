"""PG-v1m1: offset losses against a hand computation, a few CPU training steps, inference outputs, weights."""

import math
import os

import numpy as np
import pytest
import torch

from pointcept.models import build_model
from pointcept.models.weights import load_weights
from pointcept.models.point_group import offset_losses
from pointcept.utils.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLIM = dict(
    type="SpUNet-v1m1",
    in_channels=6,
    num_classes=0,
    channels=(16, 32, 64, 128, 128, 64, 48, 48),
    layers=(1,) * 8,
    bn_momentum=0.1,
)


def test_offset_losses_match_hand_computation():
    """p0: target (1,0,0), prediction (.5,.5,0): L1 .5+.5 = 1, cosine .5/sqrt(.5) = 1/sqrt(2).
    p1: target 0 (its own centroid), prediction (0,0,1): L1 1, cosine 0. p2 has no instance: ignored."""
    coord = torch.tensor([[0.0, 0, 0], [1, 0, 0], [0, 2, 0]])
    centroid = torch.tensor([[1.0, 0, 0], [1, 0, 0], [0, 2, 0]])
    pred = torch.tensor([[0.5, 0.5, 0], [0, 0, 1], [5, 5, 5]])
    l1, direction = offset_losses(pred, coord, centroid, torch.tensor([0, 0, -1]))
    assert l1.item() == pytest.approx(1.0, abs=1e-6)
    assert direction.item() == pytest.approx(-1 / math.sqrt(2) / 2, abs=1e-6)
    zero = offset_losses(pred, coord, centroid, torch.tensor([-1, -1, -1]))
    assert [v.item() for v in zero] == [0.0, 0.0]


def room_batch(seed: int = 0, voxel: float = 0.1) -> dict:
    """Floor + three boxes, one point per voxel, with instance targets as InstanceParser makes them."""
    rng = np.random.default_rng(seed)
    parts = []
    for lo, size, cls, inst in [
        ((0, 0, 0), (2.0, 2.0, 0.05), 0, -1),
        ((0.2, 0.2, 0.05), (0.4, 0.4, 0.5), 2, 0),
        ((1.2, 0.2, 0.05), (0.4, 0.4, 0.5), 2, 1),
        ((0.6, 1.2, 0.05), (0.8, 0.5, 0.4), 3, 2),
    ]:
        axes = [np.arange(0, s, voxel) for s in size]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3) + lo
        parts.append((grid, np.full(len(grid), cls), np.full(len(grid), inst)))
    coord = np.concatenate([p[0] for p in parts]) + rng.uniform(
        0, voxel / 4, (sum(len(p[0]) for p in parts), 3)
    )
    segment, instance = np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts])
    centroid = coord.copy()
    for i in range(3):
        centroid[instance == i] = coord[instance == i].mean(0)
    color = np.eye(3)[np.clip(segment, 0, 2)] + rng.normal(0, 0.05, coord.shape)
    return dict(
        coord=torch.tensor(coord, dtype=torch.float32),
        grid_coord=torch.tensor(np.floor(coord / voxel), dtype=torch.long),
        feat=torch.tensor(np.concatenate([color, coord], 1), dtype=torch.float32),
        segment=torch.tensor(segment),
        instance=torch.tensor(instance),
        instance_centroid=torch.tensor(centroid, dtype=torch.float32),
        offset=torch.tensor([len(coord)]),
    )


def point_group(**kw):
    torch.manual_seed(0)
    cfg = dict(
        type="PG-v1m1",
        backbone=SLIM,
        semantic_num_classes=4,
        segment_ignore_index=(-1, 0),
        cluster_radius=0.15,
        cluster_min_points=5,
        bn_momentum=0.1,
    )
    cfg.update(kw)
    return build_model(cfg)


@pytest.mark.parametrize("backbone", ["SpUNet-v1m1", "PointMLP-debug"])
def test_trains_a_few_steps_on_cpu_and_loss_decreases(backbone):
    mlp = dict(type="PointMLP-debug", in_channels=6, num_classes=0, hidden=(32, 32))
    model = point_group(backbone=SLIM if backbone == "SpUNet-v1m1" else mlp)
    batch = room_batch()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(6 if backbone == "SpUNet-v1m1" else 20):
        out = model(batch)
        optimizer.zero_grad()
        out["loss"].backward()
        optimizer.step()
        losses.append(out["loss"].item())
        assert set(out) == {"loss", "seg_loss", "offset_l1_loss", "offset_dir_loss"}
    assert np.mean(losses[-3:]) < 0.7 * np.mean(losses[:3]), losses


def test_eval_returns_losses_and_proposals_never_on_stuff():
    model = point_group().eval()
    batch = room_batch()
    with torch.no_grad():
        out = model(batch)
    n = len(batch["coord"])
    assert {
        "loss",
        "seg_logits",
        "offset_pred",
        "pred_masks",
        "pred_classes",
        "pred_scores",
        "pred_batch",
    } <= set(out)
    assert out["seg_logits"].shape == (n, 4) and out["offset_pred"].shape == (n, 3)
    masks = out["pred_masks"]
    assert masks.dtype == torch.bool and masks.shape[1] == n
    assert len(out["pred_classes"]) == len(out["pred_scores"]) == len(masks)
    assert not (out["pred_classes"] == 0).any()
    test_input = {k: v for k, v in batch.items() if k not in ("segment", "instance", "instance_centroid")}
    with torch.no_grad():
        assert "loss" not in model(test_input)


def test_missing_instance_targets_are_named():
    model = point_group()
    batch = room_batch()
    del batch["instance_centroid"]
    with pytest.raises(KeyError, match="InstanceParser"):
        model(batch)
    del batch["instance"]
    with pytest.raises(KeyError, match="instance_centroid"):
        model(batch)


def test_head_names_follow_pointcept():
    keys = [k for k in point_group().state_dict() if not k.startswith("backbone.")]
    assert keys == [
        "bias_head.0.weight",
        "bias_head.0.bias",
        "bias_head.1.weight",
        "bias_head.1.bias",
        "bias_head.1.running_mean",
        "bias_head.1.running_var",
        "bias_head.1.num_batches_tracked",
        "bias_head.3.weight",
        "bias_head.3.bias",
        "seg_head.weight",
        "seg_head.bias",
    ]


def test_groupcontrast_backbone_loads_into_point_group(tmp_path):
    """The demo pretraining checkpoint's student backbone fills the whole backbone; only heads start fresh."""
    pretrain = Config.fromfile(
        os.path.join(ROOT, "configs/demo/pretrain-groupcontrast-v1m1-0-spunet-base.py")
    )
    finetune = Config.fromfile(
        os.path.join(ROOT, "configs/demo/insseg-pointgroup-spunet-v1m1-1-ft-groupcontrast.py")
    )
    torch.manual_seed(0)
    gc = build_model(pretrain.model)
    path = tmp_path / "gc.pth"
    torch.save({"state_dict": gc.state_dict()}, path)
    model = build_model(finetune.model)
    report = load_weights(
        model, str(path), finetune.weight_mapping, keep_unmapped=finetune.weight_keep_unmapped
    )
    assert not report.unexpected and not report.shape_mismatch
    assert all(k.startswith(("bias_head.", "seg_head.")) for k in report.missing)
    backbone = {k for k in model.state_dict() if k.startswith("backbone.")}
    assert backbone <= set(report.loaded)
    assert torch.equal(model.backbone.conv_input[0].weight, gc.student.backbone.conv_input[0].weight)
