"""GC-v1m1: teacher EMA, centre update, the Table-1 switches and loading its backbone for fine-tuning."""

import math

import pytest
import torch

from pointcept.datasets.collate import collate_fn, point_collate_fn
from pointcept.datasets.demo import generate_room
from pointcept.datasets.pipelines import groupcontrast_pretrain_pipeline
from pointcept.datasets.transforms import Compose
from pointcept.models import build_model
from pointcept.models.weights import load_weights
from pointcept.models.group_contrast import model as gc_module

TINY_BACKBONE = dict(type="SpUNet-v1m1", in_channels=6, num_classes=0, base_channels=8,
                     channels=(8, 16, 16, 16, 16, 16, 16, 16), layers=(1, 1, 1, 1, 1, 1, 1, 1))


def gc_config(**overrides):
    cfg = dict(type="GC-v1m1", backbone=TINY_BACKBONE, backbone_out_channels=16, projector_hidden=16,
               group_dim=8, contrast_dim=8, num_prototypes=6, num_samples=64)
    cfg.update(overrides)
    return cfg


@pytest.fixture(scope="module")
def view_samples():
    import numpy as np

    pipeline = Compose(groupcontrast_pretrain_pipeline(grid_size=0.1, match_radius=0.1))
    samples = []
    for seed in (0, 1):
        room = generate_room(seed, points_per_m2=60)
        data = {k: room[k] for k in ("coord", "color", "normal", "superpoint")}
        data["color"] = data["color"].astype(np.float32)
        data["index_valid_keys"] = ["coord", "color", "normal", "superpoint"]
        samples.append(pipeline(data, np.random.default_rng(seed)))
    return samples


@pytest.fixture(scope="module")
def view_batch(view_samples):
    return point_collate_fn(view_samples)


def build(**overrides):
    torch.manual_seed(0)
    return build_model(gc_config(**overrides))


def test_forward_backward_gives_student_gradients_only(view_batch):
    model = build()
    out = model(view_batch)
    out["loss"].backward()
    for key in ("group_loss", "contrast_loss", "assign_entropy", "prototypes_used", "confidence"):
        assert key in out and torch.isfinite(out[key])
    assert out["num_segments"] > 0 and out["num_pairs"] > 0
    missing = [n for n, p in model.student.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing, f"student parameters without gradient: {missing}"
    assert all(p.grad is None for p in model.teacher.parameters())
    assert all(p.grad is not None for p in model.predictor.parameters())


def test_global_and_hand_built_local_batches_give_the_same_step(view_samples, view_batch):
    """A collated batch is already global (the model must not shift it again); a hand-built one of local
    indices (plain concatenation, no ``view*_batch``) is globalised by the model itself."""
    local = collate_fn(view_samples)
    assert "view1_batch" not in local and "view1_batch" in view_batch
    assert not torch.equal(local["match_index"], view_batch["match_index"])
    model = build(positive="segment").eval()  # eval: no centre update between the two calls
    losses = []
    for batch in (view_batch, local):
        torch.manual_seed(3)
        out = model(batch)
        losses.append((out["loss"].item(), out["num_pairs"].item(), out["num_segments"].item()))
    assert losses[0] == losses[1] and losses[0][1] > 0


def test_teacher_follows_the_ema(view_batch):
    model = build()
    with torch.no_grad():
        for p in model.student.parameters():
            p.add_(0.5)
    old = [p.clone() for p in model.teacher.parameters()]
    model.update_teacher(0.9)
    for before, teacher, student in zip(old, model.teacher.parameters(), model.student.parameters()):
        torch.testing.assert_close(teacher, 0.9 * before + 0.1 * student)


def test_momentum_schedule_is_cosine_from_base_to_end():
    model = build(teacher_momentum=0.99, teacher_momentum_end=1.0)
    assert model.momentum_at(0, 100) == pytest.approx(0.99)
    assert model.momentum_at(50, 100) == pytest.approx(0.995)
    assert model.momentum_at(100, 100) == pytest.approx(1.0)


def test_centre_is_an_ema_of_the_mean_teacher_logits(view_batch):
    model = build(center_momentum=0.8)
    captured = {}
    original = model.update_center

    def spy(z_k):
        captured["z_k"] = z_k.clone()
        captured["before"] = model.center.clone()
        original(z_k)

    model.update_center = spy
    model(view_batch)
    logits = gc_module.assignment_logits(captured["z_k"], model.teacher.prototypes).mean(0)
    torch.testing.assert_close(model.center, 0.8 * captured["before"] + 0.2 * logits)


class Spy:
    """Records the arguments of the loss functions the model calls, and calls through."""

    def __init__(self, monkeypatch):
        self.group, self.contrast = [], []
        real_group, real_contrast = gc_module.group_loss, gc_module.semantic_contrast_loss
        monkeypatch.setattr(gc_module, "group_loss",
                            lambda *a, **k: self.group.append(_snapshot(a)) or real_group(*a, **k))
        monkeypatch.setattr(gc_module, "semantic_contrast_loss",
                            lambda *a, **k: self.contrast.append(_snapshot(a)) or real_contrast(*a, **k))


def _snapshot(args):
    """Copies of tensor arguments: the model updates its centre in place after the call."""
    return tuple(a.detach().clone() if isinstance(a, torch.Tensor) else a for a in args)


def test_default_switches_reach_the_losses(view_batch, monkeypatch):
    spy = Spy(monkeypatch)
    model = build()
    model.center.fill_(0.3)
    model(view_batch)
    z_q, z_k, proto_q, proto_k, center, tau_s, tau_t, informative = spy.group[0]
    assert (tau_s, tau_t, informative) == (0.1, 0.07, True)
    assert torch.all(center == 0.3)
    v_q, v_k, label_q, label_k, weight, tau = spy.contrast[0]
    assert tau == 0.4 and weight is not None and weight.shape == (len(v_q), len(v_k))
    assert len(v_q) == 64  # num_samples pairs per scene


@pytest.mark.parametrize("switch,check", [
    (dict(sharpening=False), lambda s: s.group[0][6] == s.group[0][5]),
    (dict(centering=False), lambda s: bool(torch.all(s.group[0][4] == 0))),
    (dict(informative=False), lambda s: s.group[0][7] is False),
    (dict(confidence=False), lambda s: s.contrast[0][4] is None),
    (dict(semantic_aware=False), lambda s: torch.equal(s.contrast[0][2], torch.arange(len(s.contrast[0][2])))),
    (dict(positive="matched"), lambda s: torch.equal(s.contrast[0][2], s.contrast[0][3])),
    (dict(tau_t=0.04), lambda s: s.group[0][6] == 0.04),
    (dict(num_samples=16), lambda s: len(s.contrast[0][0]) == 16),
])
def test_each_switch_changes_what_it_claims(view_batch, monkeypatch, switch, check):
    spy = Spy(monkeypatch)
    model = build(**switch)
    model.center.fill_(0.3)
    model(view_batch)
    assert check(spy)


def test_predictor_switch_removes_the_predictor(view_batch):
    with_predictor, without = build(), build(predictor=False)
    assert any(k.startswith("predictor.") for k in with_predictor.state_dict())
    assert not any(k.startswith("predictor.") for k in without.state_dict())
    without(view_batch)["loss"].backward()


def test_group_labels_are_per_segment(view_batch, monkeypatch):
    """Points of one segment always carry one group label; confidences multiply per pair."""
    captured = {}
    real_labels = gc_module.GroupContrast.labels

    def spy_labels(self, batch, rows, i, j, seg_q, seg_k, group):
        out = real_labels(self, batch, rows, i, j, seg_q, seg_k, group)
        captured.setdefault("calls", []).append((seg_q, seg_k, out, group))
        return out

    monkeypatch.setattr(gc_module.GroupContrast, "labels", spy_labels)
    build()(view_batch)
    for seg_q, seg_k, (label_q, label_k), group in captured["calls"]:
        for seg, label in ((seg_q, label_q), (seg_k, label_k)):
            for s in torch.unique(seg):
                assert len(torch.unique(label[seg == s])) == 1
            torch.testing.assert_close(label, group[seg])


def test_segment_and_grid_positives(view_batch, monkeypatch):
    spy = Spy(monkeypatch)
    build(positive="segment")(view_batch)
    label_q, label_k = spy.contrast[0][2], spy.contrast[0][3]
    assert spy.contrast[0][4] is None  # confidence weights belong to group positives
    assert label_q.min() >= 0
    spy.contrast.clear()
    build(positive="grid", cell_size=1.0)(view_batch)
    assert len(spy.contrast) == 2 and spy.contrast[0][2].dtype == torch.int64


def test_unknown_positive_mode_is_rejected():
    with pytest.raises(ValueError, match="positive='pairs'.*matched, grid, segment, group"):
        build(positive="pairs")


def test_pretrained_student_backbone_loads_for_finetuning(tmp_path):
    model = build()
    path = tmp_path / "gc.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in model.state_dict().items()}}, path)
    segmentor = build_model(dict(type="DefaultSegmentor", backbone=dict(TINY_BACKBONE, num_classes=5),
                                 criteria=[dict(type="CrossEntropyLoss")]))
    report = load_weights(segmentor, str(path), mapping=[("student.backbone.", "backbone.")], keep_unmapped=False)
    backbone_missing = [k for k in report.missing if not k.startswith("backbone.final.")]
    assert backbone_missing == []
    assert report.unexpected == [] and report.shape_mismatch == []
    assert {k for k in report.missing} == {"backbone.final.weight", "backbone.final.bias"}
    torch.testing.assert_close(segmentor.backbone.conv_input[0].weight, model.student.backbone.conv_input[0].weight)
    assert math.isfinite(float(segmentor.backbone.conv_input[0].weight.detach().sum()))
