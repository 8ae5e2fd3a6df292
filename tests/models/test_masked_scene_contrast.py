"""MSC-v1m1 / PointContrast-v1m1 / CSC (MSC-v1m2): masking, mixing, CSC partitions, losses and training."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pointcept.datasets.collate import point_collate_fn
from pointcept.datasets.demo import generate_room
from pointcept.datasets.pipelines_msc import msc_pretrain_pipeline
from pointcept.datasets.transforms import Compose
from pointcept.datasets.views_batch import globalize_view_batch
from pointcept.engines.checkpoint import load_weights
from pointcept.models import build_model
from pointcept.models.masked_scene_contrast import model as msc_module
from pointcept.models.masked_scene_contrast.losses import csc_partitions, partitioned_info_nce
from pointcept.models.masked_scene_contrast.masking import cross_view_masks, grid_cell_ids, unmask_matched_pairs
from pointcept.models.masked_scene_contrast.mixing import apply_mixing, plan_mixing

TINY_BACKBONE = dict(type="SpUNet-v1m1", in_channels=6, num_classes=0, base_channels=8,
                     channels=(8, 16, 16, 16, 16, 16, 16, 16), layers=(1, 1, 1, 1, 1, 1, 1, 1))
RADIUS = 0.1  # views voxelised at 0.1 m in these tests


@pytest.fixture(scope="module")
def view_batch():
    pipeline = Compose(msc_pretrain_pipeline(grid_size=0.1, match_radius=RADIUS))
    samples = []
    for seed in (0, 1, 2):
        room = generate_room(seed, points_per_m2=50)
        data = {k: room[k] for k in ("coord", "color", "normal")}
        data["color"] = data["color"].astype(np.float32)
        data["index_valid_keys"] = ["coord", "color", "normal"]
        samples.append(pipeline(data, np.random.default_rng(seed)))
    return point_collate_fn(samples)


def build(type_name="MSC-v1m1", **overrides):
    torch.manual_seed(0)
    cfg = dict(type=type_name, backbone=TINY_BACKBONE, backbone_out_channels=16, matching_max_radius=RADIUS,
               matching_max_pair=512)
    cfg.update(overrides)
    return build_model(cfg)


def capture_step(model, batch, monkeypatch):
    """Run one forward and return what the contrast saw (arrays after masking/mixing, pairs)."""
    seen = {}
    real = msc_module.MaskedSceneContrast.contrast

    def spy(self, features, arrays, pairs):
        seen.update(features=features, arrays=arrays, pairs=pairs)
        return real(self, features, arrays, pairs)

    monkeypatch.setattr(msc_module.MaskedSceneContrast, "contrast", spy)
    seen["out"] = model(batch)
    return seen


# ------------------------------------------------------------------------------ masking
def test_cross_masks_hide_the_requested_share_of_disjoint_cells():
    g = torch.Generator().manual_seed(0)
    origin1, origin2 = torch.rand(4000, 3, generator=g) * 3, torch.rand(3500, 3, generator=g) * 3
    batch1, batch2 = torch.randint(0, 2, (4000,), generator=g), torch.randint(0, 2, (3500,), generator=g)
    cell1, cell2, num_cells = grid_cell_ids(origin1, batch1, origin2, batch2, cell_size=0.5)
    assert num_cells > 300
    mask1, mask2 = cross_view_masks(cell1, cell2, num_cells, mask_rate=0.4, generator=g)
    hidden1, hidden2 = set(cell1[mask1].tolist()), set(cell2[mask2].tolist())
    assert not hidden1 & hidden2  # complementary: a cell is hidden in one view at most
    assert abs(len(hidden1) / num_cells - 0.4) < 0.01 and abs(len(hidden2) / num_cells - 0.4) < 0.01
    # a point is hidden exactly when its cell is
    assert all(bool(m) == (int(c) in hidden1) for c, m in zip(cell1.tolist(), mask1.tolist()))
    assert abs(float(mask1.float().mean()) - 0.4) < 0.05


def test_a_pair_straddling_a_cell_border_is_never_hidden_twice():
    mask1, mask2 = torch.tensor([True, False]), torch.tensor([True, True, False])
    pairs = torch.tensor([[0, 0], [1, 1], [0, 2]])
    fixed = unmask_matched_pairs(mask1, mask2, pairs)
    assert fixed.tolist() == [False, True, False]
    assert not bool((mask1[pairs[:, 0]] & fixed[pairs[:, 1]]).any())


def test_model_masks_share_and_no_matched_pair_masked_in_both_views(view_batch):
    model = build(mask_rate=0.4)
    batch = {**view_batch, **globalize_view_batch(view_batch)}
    arrays = {v: model.view_arrays(batch, v) for v in ("view1", "view2")}
    candidates, _ = model.match(arrays)
    mask1, mask2 = model.masks(arrays, candidates)
    assert len(candidates) > 100
    assert not bool((mask1[candidates[:, 0]] & mask2[candidates[:, 1]]).any())
    cell1, cell2, num_cells = grid_cell_ids(arrays["view1"]["origin_coord"], arrays["view1"]["batch"],
                                            arrays["view2"]["origin_coord"], arrays["view2"]["batch"], 0.1)
    share1 = len(set(cell1[mask1].tolist())) / len(set(cell1.tolist()))  # of the cells view 1 sees
    share2 = len(set(cell2[mask2].tolist())) / len(set(cell2.tolist()))
    assert num_cells > 1000
    assert abs(share1 - 0.4) < 0.05
    assert 0.3 < share2 < 0.45  # view 2 gives back a few partly hidden cells to protect the pairs


def test_masked_points_get_the_mask_token_or_zeros(view_batch, monkeypatch):
    inputs = []
    for token in (True, False):
        model = build(mask_rate=0.4, mask_token=token, view1_mix_prob=0.0)
        real = model.student.backbone.forward
        monkeypatch.setattr(model.student.backbone, "forward", lambda d, real=real: inputs.append(d) or real(d))
        seen = capture_step(model, view_batch, monkeypatch)
        mask = seen["arrays"]["view1"]["mask"]
        feat = inputs[-2]["feat"]  # view 1 input
        assert mask.any()
        expected = model.mask_token.expand(int(mask.sum()), -1) if token else torch.zeros(int(mask.sum()), 6)
        torch.testing.assert_close(feat[mask], expected)
        torch.testing.assert_close(feat[~mask], view_batch["view1_feat"][~mask])


# ------------------------------------------------------------------------------ view mixing
def test_mixing_plan_pairs_samples_and_keeps_bookkeeping():
    offset = torch.tensor([3, 7, 12])  # samples of 3, 4 and 5 points
    origin = torch.arange(12, dtype=torch.float32)[:, None].repeat(1, 3)
    sample = torch.tensor([0] * 3 + [1] * 4 + [2] * 5)
    pairs = torch.tensor([[0, 10], [5, 11], [11, 12]])
    torch.manual_seed(3)
    order, mixed_offset = plan_mixing(offset)
    assert sorted(order.tolist()) == list(range(12))
    assert len(mixed_offset) == 2 and int(mixed_offset[-1]) == 12
    mixed, new_index = apply_mixing({"origin_coord": origin, "batch": sample}, order, pairs[:, 0])
    torch.testing.assert_close(mixed["origin_coord"][new_index], origin[pairs[:, 0]])  # same original points
    assert torch.equal(mixed["batch"][new_index], sample[pairs[:, 0]])
    first = mixed["batch"][: int(mixed_offset[0])]
    assert len(torch.unique(first)) == 2  # one mixed scene = two original samples, each whole
    for s in torch.unique(first).tolist():
        assert int((first == s).sum()) == int((sample == s).sum())


def test_mixed_model_step_contrasts_the_same_original_points(view_batch, monkeypatch):
    model = build(view1_mix_prob=1.0)
    inputs = []
    real = model.student.backbone.forward
    monkeypatch.setattr(model.student.backbone, "forward", lambda d: inputs.append(d) or real(d))
    seen = capture_step(model, view_batch, monkeypatch)
    assert float(seen["out"]["mixed"]) == 1.0
    assert len(inputs[0]["offset"]) == 2 and len(inputs[1]["offset"]) == 3  # 3 samples: a pair + one alone
    v1, v2, pairs = seen["arrays"]["view1"], seen["arrays"]["view2"], seen["pairs"]
    distance = torch.linalg.norm(v1["origin_coord"][pairs[:, 0]] - v2["origin_coord"][pairs[:, 1]], dim=1)
    assert len(pairs) > 100 and float(distance.max()) <= RADIUS + 1e-6
    assert torch.equal(v1["batch"][pairs[:, 0]], v2["batch"][pairs[:, 1]])
    torch.testing.assert_close(inputs[0]["coord"], v1["coord"])  # the backbone saw the mixed order
    first_scene = v1["batch"][: int(inputs[0]["offset"][0])]
    assert len(torch.unique(first_scene)) == 2  # one backbone scene holds two original samples


# ------------------------------------------------------------------------------ CSC and InfoNCE
def test_csc_partition_puts_each_neighbour_in_its_bin():
    anchor = torch.tensor([[0.0, 0.0, 1.0]])
    keys = torch.tensor([
        [0.0, 0.0, 1.0],    # the positive itself: -1
        [0.3, 0.0, 1.5],    # near (0.58 m), above: 0
        [0.0, 0.4, 0.7],    # near (0.5 m), below: 1
        [2.5, 0.0, 1.2],    # far (> 2 m), above: 2
        [0.0, -3.0, 0.2],   # far, below: 3
        [0.05, 0.0, 1.05],  # within r1: -1
        [1.0, 0.0, 1.0],    # same height: -1
    ])
    coords = torch.cat([anchor, keys[1:]])  # anchors = all points, so row 0 is our anchor
    part = csc_partitions(coords, keys, r1=0.125, r2=2.0)
    assert part[0].tolist() == [-1, 0, 1, 2, 3, -1, -1]
    assert torch.all(torch.diagonal(part) == -1)
    with pytest.raises(ValueError, match="r1 < r2"):
        csc_partitions(coords, keys, r1=2.0, r2=1.0)


def test_plain_info_nce_is_cross_entropy_over_all_keys():
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(20, 8, generator=g), torch.randn(20, 8, generator=g)
    loss, cells = partitioned_info_nce(q, k, None, tau=0.4)
    logits = F.normalize(q, dim=1) @ F.normalize(k, dim=1).t() / 0.4
    torch.testing.assert_close(loss, F.cross_entropy(logits, torch.arange(20)))
    assert cells == 20


def test_partitioned_info_nce_averages_per_anchor_and_partition():
    g = torch.Generator().manual_seed(1)
    q, k = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    part = torch.randint(-1, 4, (6, 6), generator=g)
    part.fill_diagonal_(-1)
    loss, cells = partitioned_info_nce(q, k, part, tau=0.5, num_partitions=4)
    s = (F.normalize(q, dim=1) @ F.normalize(k, dim=1).t() / 0.5).tolist()
    terms = []
    for i in range(6):
        for p in range(4):
            negatives = [j for j in range(6) if int(part[i, j]) == p]
            if negatives:
                denominator = math.exp(s[i][i]) + sum(math.exp(s[i][j]) for j in negatives)
                terms.append(-math.log(math.exp(s[i][i]) / denominator))
    assert cells == len(terms)
    assert float(loss) == pytest.approx(sum(terms) / len(terms), rel=1e-5)


# ------------------------------------------------------------------------------ models
def test_registered_variants_and_their_presets():
    msc, pc, csc, csc_alias = build(), build("PointContrast-v1m1"), build("MSC-v1m2"), build("CSC-v1m1")
    assert (msc.mask_rate, msc.view_mix_prob["view1"], msc.nce_t, msc.partitions) == (0.4, 0.8, 0.4, 1)
    assert msc.mask_token is not None and msc.color_head is not None
    assert (pc.mask_rate, pc.view_mix_prob["view1"], pc.nce_t, pc.partitions) == (0.0, 0.0, 0.07, 1)
    assert pc.mask_token is None and pc.color_head is None
    assert build("PointContrast-v1m1", matching_max_pair=None or 4096).matching_max_pair == 4096
    assert (csc.partitions, csc.r1, csc.r2, csc.mask_rate) == (4, 0.125, 2.0, 0.0)
    assert type(csc) is type(csc_alias) and isinstance(csc, msc_module.MaskedSceneContrast)
    assert build("PointContrast-v1m1", nce_t=0.2).nce_t == 0.2  # presets stay overridable


@pytest.mark.parametrize("overrides,match", [
    (dict(mask_rate=0.6), "mask_rate must be in"),
    (dict(view1_mix_prob=1.5), "view1_mix_prob must be in"),
    (dict(partitions=3), "partitions must be 1"),
    (dict(matching_max_k=0), "matching_max_k must be a positive integer"),
    (dict(nce_t=0.0), "nce_t must be > 0"),
    (dict(maks_rate=0.4), "maks_rate"),
])
def test_bad_arguments_are_named(overrides, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build(**overrides)


def test_missing_reconstruction_target_is_named(view_batch):
    batch = {k: v for k, v in view_batch.items() if k != "view2_color"}
    with pytest.raises(KeyError, match="view2_color"):
        build()(batch)


def test_msc_backward_runs_through_the_sparse_backbone(view_batch):
    model = build(view1_mix_prob=1.0, reconstruct_normal=True)
    out = model(view_batch)
    out["loss"].backward()
    for key in ("nce_loss", "color_loss", "normal_loss"):
        assert torch.isfinite(out[key])
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not missing, f"parameters without gradient (DDP would hang): {missing}"
    assert float(model.student.backbone.conv_input[0].weight.grad.abs().sum()) > 0
    assert float(model.mask_token.grad.abs().sum()) > 0
    assert 0.2 < float(out["mask_share"]) < 0.5


@pytest.mark.parametrize("type_name", ["PointContrast-v1m1", "MSC-v1m2", "MSC-v1m1"])
def test_each_method_overfits_one_batch(view_batch, type_name):
    model = build(type_name, matching_max_pair=256)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(15):
        torch.manual_seed(1)  # same masks, mixing and pairs every step: only the weights change
        out = model(view_batch)
        optimizer.zero_grad()
        out["loss"].backward()
        optimizer.step()
        losses.append(float(out["loss"].detach()))
    assert all(math.isfinite(x) for x in losses)
    assert losses[-1] < 0.8 * losses[0], losses


def test_pretrained_backbone_loads_with_the_groupcontrast_mapping(tmp_path):
    model = build()
    path = tmp_path / "msc.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in model.state_dict().items()}}, path)
    segmentor = build_model(dict(type="DefaultSegmentor", backbone=dict(TINY_BACKBONE, num_classes=5),
                                 criteria=[dict(type="CrossEntropyLoss")]))
    report = load_weights(segmentor, str(path), mapping=[("student.backbone.", "backbone.")], keep_unmapped=False)
    assert set(report.missing) == {"backbone.final.weight", "backbone.final.bias"}
    assert report.shape_mismatch == []
    torch.testing.assert_close(segmentor.backbone.conv_input[0].weight, model.student.backbone.conv_input[0].weight)
