"""VoteNet: box coder, vote targets, losses on odd batches, a few CPU steps that reduce the loss, inference."""

import math

import numpy as np
import pytest
import torch

from pointcept.datasets.collate import point_collate_fn
from pointcept.datasets.demo import DEMO_THING_CLASSES, generate_room
from pointcept.datasets.pipelines import detection_train_pipeline, detection_val_pipeline
from pointcept.datasets.transforms import Compose
from pointcept.models import build_model
from pointcept.models.votenet import BoxCoder
from pointcept.models.votenet.losses import seed_vote_targets
from pointcept.utils.boxes import points_in_boxes as points_in_boxes_np

TINY = dict(type="SpUNet-v1m1", in_channels=6, num_classes=0, channels=(8, 16, 16, 16, 16, 16, 16, 16),
            layers=(1,) * 8, bn_momentum=0.1)
NUM_CLASSES = len(DEMO_THING_CLASSES)


def tiny_votenet(**kwargs):
    torch.manual_seed(0)
    cfg = dict(type="VoteNet", backbone=TINY, num_classes=NUM_CLASSES, mean_sizes=[[0.8, 0.8, 1.0]] * NUM_CLASSES,
               num_seed=128, num_proposal=32, **kwargs)
    return build_model(cfg)


def room_sample(seed: int, train: bool = False, drop_boxes: bool = False) -> dict:
    room = generate_room(seed, points_per_m2=60)
    lookup = {c: i for i, c in enumerate(DEMO_THING_CLASSES)}
    data = dict(coord=room["coord"], color=room["color"].astype(np.float32), normal=room["normal"],
                gt_boxes=room["boxes"][:, :7].copy(), gt_classes=np.array([lookup[int(c)] for c in room["boxes"][:, 7]]),
                index_valid_keys=["coord", "color", "normal"], name=f"room{seed}")
    if drop_boxes:
        data["gt_boxes"], data["gt_classes"] = np.zeros((0, 7), np.float32), np.zeros(0, np.int64)
    pipeline = detection_train_pipeline(0.1, flip_axes=("x", "y")) if train else detection_val_pipeline(0.1)
    return Compose(pipeline)(data, np.random.default_rng(seed))


@pytest.fixture(scope="module")
def batch():
    return point_collate_fn([room_sample(1), room_sample(2)])


def test_box_coder_round_trip():
    coder = BoxCoder(12, [[1.0, 2.0, 0.5], [0.4, 0.4, 0.9]])
    angles = torch.linspace(-2 * math.pi, 2 * math.pi, 101)
    bins, residual = coder.encode_heading(angles)
    assert bins.min() >= 0 and bins.max() <= 11 and residual.abs().max() <= math.pi / 12 + 1e-6
    decoded = coder.decode_heading(bins, residual)
    assert torch.allclose(torch.remainder(decoded - angles + math.pi, 2 * math.pi) - math.pi, torch.zeros(101), atol=1e-5)
    size = torch.tensor([[1.2, 1.5, 0.7]])
    assert torch.allclose(coder.encode_size(size, torch.tensor([0])) + coder.mean_size(torch.tensor([0])), size)
    with pytest.raises(ValueError, match="mean sizes must be positive"):
        BoxCoder(12, [[1.0, 0.0, 1.0]])


def test_decode_uses_the_best_bins_and_clamps_sizes():
    coder = BoxCoder(4, [[1.0, 1.0, 1.0], [2.0, 1.0, 0.5]])
    heading_scores = torch.tensor([[[0.0, 5.0, 0.0, 0.0]]])
    heading_res = torch.tensor([[[0.0, 0.5, 0.0, 0.0]]])  # normalised by pi / 4
    size_scores = torch.tensor([[[0.0, 3.0]]])
    size_res = torch.tensor([[[[0, 0, 0], [0.5, -2.0, 0.0]]]])  # normalised by the mean size
    box = coder.decode(torch.zeros(1, 1, 3), heading_scores, heading_res, size_scores, size_res)[0, 0]
    assert box[6].item() == pytest.approx(math.pi / 2 + math.pi / 8)
    assert box[3:6].tolist() == pytest.approx([3.0, 0.01, 0.5])
    aligned = coder.decode(torch.zeros(1, 1, 3), heading_scores, heading_res, size_scores, size_res, axis_aligned=True)
    assert aligned[0, 0, 6].item() == 0.0


def test_vote_targets_from_boxes_match_points_in_boxes():
    rng = np.random.default_rng(0)
    boxes = np.array([[0, 0, 0, 2, 1, 1, 0.5], [0.5, 0, 0, 1, 1, 1, 0], [5, 5, 0, 1, 1, 1, 0]], dtype=np.float32)
    seeds = rng.uniform(-1.5, 1.5, (1, 400, 3)).astype(np.float32)
    seeds[..., 2] *= 0.3
    mask = torch.tensor([[True, True, False]])  # the third box is padding
    offsets, on_object = seed_vote_targets(torch.from_numpy(seeds), torch.from_numpy(boxes)[None], mask)
    inside = points_in_boxes_np(seeds[0], boxes[:2], eps=1e-4)
    assert on_object[0].numpy().tolist() == inside.any(1).tolist()
    both = np.flatnonzero(inside.all(1))
    assert len(both) > 5
    offsets = offsets[0].numpy().reshape(-1, 3, 3)
    np.testing.assert_allclose(offsets[both, 0], boxes[0, :3] - seeds[0, both], atol=1e-6)
    np.testing.assert_allclose(offsets[both, 1], boxes[1, :3] - seeds[0, both], atol=1e-6)
    only_second = np.flatnonzero(~inside[:, 0] & inside[:, 1])
    np.testing.assert_allclose(offsets[only_second, 2], boxes[1, :3] - seeds[0, only_second], atol=1e-6)


def test_a_few_cpu_steps_reduce_the_loss(batch):
    model = tiny_votenet()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(12):
        out = model(batch)
        optimizer.zero_grad()
        out["loss"].backward()
        optimizer.step()
        losses.append(float(out["loss"].detach()))
    assert all(math.isfinite(v) for v in losses)
    assert np.mean(losses[-3:]) < 0.8 * np.mean(losses[:3]), losses
    for key in ("vote_loss", "objectness_loss", "centre_loss", "heading_cls_loss", "size_reg_loss", "sem_cls_loss"):
        assert key in out


def test_frames_without_boxes_train():
    model = tiny_votenet()
    mixed = point_collate_fn([room_sample(3, train=True), room_sample(4, train=True, drop_boxes=True)])
    assert mixed["gt_boxes_offset"][0] == mixed["gt_boxes_offset"][1] > 0
    out = model(mixed)
    out["loss"].backward()
    assert torch.isfinite(out["loss"])
    empty = point_collate_fn([room_sample(4, drop_boxes=True)])
    assert empty["gt_boxes"].shape == (0, 7)
    assert torch.isfinite(model(empty)["loss"])


def test_inference_returns_valid_boxes_per_sample(batch):
    model = tiny_votenet(min_points_in_box=0, score_threshold=0.0)
    model.eval()
    with torch.no_grad():
        out = model(batch)
    assert len(out["predictions"]) == 2 and torch.isfinite(out["loss"])
    for boxes, classes, scores in out["predictions"]:
        assert boxes.shape[1] == 7 and len(boxes) == len(classes) == len(scores)
        assert len(boxes) % NUM_CLASSES == 0 and len(boxes) > 0  # every kept box once per class
        assert (boxes[:, 3:6] > 0).all() and ((scores >= 0) & (scores <= 1)).all()
        assert set(classes.tolist()) <= set(range(NUM_CLASSES))
    assert out["pred_batch"].tolist() == sorted(out["pred_batch"].tolist())
    model.infer_cfg["per_class_proposal"] = False
    with torch.no_grad():
        boxes, classes, scores = model(batch)["predictions"][0]
    assert len(boxes) <= 32


def test_stored_votes_replace_box_votes(batch):
    model = tiny_votenet()
    stage = model.forward_heads(model.forward_backbone(batch))
    fake = dict(batch, point_votes=torch.ones(len(batch["coord"]), 9), point_votes_mask=torch.ones(len(batch["coord"])))
    gt = model.ground_truth(fake, stage)
    assert gt["seed_vote_mask"].all() and (gt["seed_vote_offsets"] == 1).all()
    assert gt["gt_mask"].sum() == int(batch["gt_boxes_offset"][-1])


def test_missing_box_offsets_are_explained(batch):
    model = tiny_votenet()
    with pytest.raises(KeyError, match="gt_boxes_offset"):
        model({k: v for k, v in batch.items() if k != "gt_boxes_offset"})
    with pytest.raises(ValueError, match="3 mean sizes for 7 classes"):
        build_model(dict(type="VoteNet", backbone=TINY, num_classes=7, mean_sizes=[[1, 1, 1]] * 3))
