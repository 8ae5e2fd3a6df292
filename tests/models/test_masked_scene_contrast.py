"""MSC-v1m1 / PointContrast-v1m1 / CSC (MSC-v1m2): masking, mixing, CSC partitions, losses and training.

Pointcept parity tests transcribe Pointcept's MSC-v1m1 / MSC-v1m2 loss semantics as plain float64 loops
(written here, from the semantics) and check the vectorised losses against them.
"""

import math
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pointcept.datasets.collate import collate_fn, point_collate_fn
from pointcept.datasets.demo import generate_room
from pointcept.datasets.pipelines import msc_pretrain_pipeline, pointcontrast_pretrain_pipeline
from pointcept.datasets.transforms import Compose
from pointcept.models import build_model
from pointcept.models.weights import load_weights
from pointcept.models.masked_scene_contrast import model as msc_module
from pointcept.models.masked_scene_contrast.losses import NEAR, csc_info_nce, csc_partitions, info_nce
from pointcept.utils.config import Config
from pointcept.models.masked_scene_contrast.masking import cross_view_masks, grid_cell_ids, unmask_matched_pairs
from pointcept.models.masked_scene_contrast.mixing import apply_mixing, plan_mixing

TINY_BACKBONE = dict(type="SpUNet-v1m1", in_channels=6, num_classes=0, base_channels=8,
                     channels=(8, 16, 16, 16, 16, 16, 16, 16), layers=(1, 1, 1, 1, 1, 1, 1, 1))
RADIUS = 0.1  # views voxelised at 0.1 m in these tests


@pytest.fixture(scope="module")
def view_samples():
    pipeline = Compose(msc_pretrain_pipeline(grid_size=0.1, match_radius=RADIUS))
    samples = []
    for seed in (0, 1, 2):
        room = generate_room(seed, points_per_m2=50)
        data = {k: room[k] for k in ("coord", "color", "normal")}
        data["color"] = data["color"].astype(np.float32)
        data["index_valid_keys"] = ["coord", "color", "normal"]
        samples.append(pipeline(data, np.random.default_rng(seed)))
    return samples


@pytest.fixture(scope="module")
def view_batch(view_samples):
    return point_collate_fn(view_samples)


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

    def spy(self, features, arrays, pairs, num_samples):
        seen.update(features=features, arrays=arrays, pairs=pairs)
        return real(self, features, arrays, pairs, num_samples)

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


def test_cross_masks_hide_the_floor_of_the_share_as_pointcept():
    cells = torch.arange(9)
    generator = torch.Generator().manual_seed(0)
    mask1, mask2 = cross_view_masks(cells, cells, 9, mask_rate=0.4, generator=generator)
    assert int(mask1.sum()) == int(mask2.sum()) == 3  # int(9 * 0.4) = 3; rounding would hide 4


def test_a_pair_straddling_a_cell_border_is_never_hidden_twice():
    mask1, mask2 = torch.tensor([True, False]), torch.tensor([True, True, False])
    pairs = torch.tensor([[0, 0], [1, 1], [0, 2]])
    fixed = unmask_matched_pairs(mask1, mask2, pairs)
    assert fixed.tolist() == [False, True, False]
    assert not bool((mask1[pairs[:, 0]] & fixed[pairs[:, 1]]).any())


def test_model_masks_share_and_pairs_hidden_twice_only_without_the_option(view_batch):
    masks = {}
    for unmask in (False, True):
        model = build(mask_rate=0.4, unmask_matched_pairs=unmask)
        batch = view_batch  # point_collate_fn made it batch-global
        arrays = {v: model.view_arrays(batch, v) for v in ("view1", "view2")}
        candidates, _ = model.match(arrays)
        torch.manual_seed(5)
        masks[unmask] = model.masks(arrays, candidates)
    assert len(candidates) > 100
    (mask1, plain2), (same1, fixed2) = masks[False], masks[True]
    assert torch.equal(mask1, same1)
    # Pointcept's default: a pair straddling a cell border may be hidden in both views
    assert bool((mask1[candidates[:, 0]] & plain2[candidates[:, 1]]).any())
    # the option gives such view-2 points back, and only those
    assert not bool((mask1[candidates[:, 0]] & fixed2[candidates[:, 1]]).any())
    assert bool((fixed2 <= plain2).all()) and int(fixed2.sum()) < int(plain2.sum())
    cell1, cell2, num_cells = grid_cell_ids(arrays["view1"]["origin_coord"], arrays["view1"]["batch"],
                                            arrays["view2"]["origin_coord"], arrays["view2"]["batch"], 0.1)
    share1 = len(set(cell1[mask1].tolist())) / len(set(cell1.tolist()))  # of the cells view 1 sees
    share2 = len(set(cell2[plain2].tolist())) / len(set(cell2.tolist()))
    assert num_cells > 1000
    assert abs(share1 - 0.4) < 0.05 and abs(share2 - 0.4) < 0.05


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
        [0.0, 0.0, 1.0],    # the positive itself: near region
        [0.3, 0.0, 1.5],    # (r1, r2] (0.58 m), above: 0
        [0.0, 0.4, 0.7],    # (r1, r2] (0.5 m), below: 1
        [2.5, 0.0, 1.2],    # beyond r2, above: 2
        [0.0, -3.0, 0.2],   # beyond r2, below: 3
        [0.05, 0.0, 1.05],  # within r1: near region
        [1.0, 0.0, 1.0],    # same height: near region whatever the distance
    ])
    coords = torch.cat([anchor, keys[1:]])  # anchors = all points, so row 0 is our anchor
    part = csc_partitions(coords, keys, r1=0.125, r2=2.0)
    assert part[0].tolist() == [NEAR, 0, 1, 2, 3, NEAR, NEAR]
    with pytest.raises(ValueError, match="r1 < r2"):
        csc_partitions(coords, keys, r1=2.0, r2=1.0)


def test_plain_info_nce_is_cross_entropy_over_all_keys():
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(20, 8, generator=g), torch.randn(20, 8, generator=g)
    logits = F.normalize(q, dim=1) @ F.normalize(k, dim=1).t() / 0.4
    torch.testing.assert_close(info_nce(q, k, tau=0.4), F.cross_entropy(logits, torch.arange(20)))
    assert float(info_nce(q[:0], k[:0])) == 0.0


def test_csc_cells_reduction_averages_per_anchor_and_partition():
    """The earlier variant kept as ``csc_reduction="cells"``: near region and positive are no negatives."""
    g = torch.Generator().manual_seed(1)
    q, k = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    part = torch.randint(-1, 4, (6, 6), generator=g)
    loss, cells = csc_info_nce(q, k, part, tau=0.5, num_partitions=4, reduction="cells")
    s = (F.normalize(q, dim=1) @ F.normalize(k, dim=1).t() / 0.5).tolist()
    terms = []
    for i in range(6):
        for p in range(4):
            negatives = [j for j in range(6) if j != i and int(part[i, j]) == p]
            if negatives:
                denominator = math.exp(s[i][i]) + sum(math.exp(s[i][j]) for j in negatives)
                terms.append(-math.log(math.exp(s[i][i]) / denominator))
    assert cells == len(terms)
    assert float(loss) == pytest.approx(sum(terms) / len(terms), rel=1e-5)


def _unit(row):
    norm = math.sqrt(sum(x * x for x in row))
    return [x / norm for x in row]


def pointcept_csc_reference(feat1, feat2, origin1, origin2, scene, num_samples, tau, r1, r2, partitions=4):
    """Pointcept's MSC-v1m2 contrastive loss as a float64 loop (rows = matched pairs, python lists).

    Per scene: similarity of view-1 anchor i and view-2 key j; key j's region relative to anchor i from
    rel = origin1[j] - origin2[i]: rings (r1, r2] / beyond r2, above / below, else the near region (also
    for dz == 0). For every region present, the cross-entropy of every anchor over its positive and the
    region's keys, averaged over all anchors; summed over regions and scenes, / (num_samples * partitions).
    """
    total = 0.0
    for s in sorted(set(scene)):
        rows = [r for r in range(len(scene)) if scene[r] == s]
        n = len(rows)
        a = [_unit(feat1[r]) for r in rows]
        b = [_unit(feat2[r]) for r in rows]
        sim = [[sum(x * y for x, y in zip(a[i], b[j])) / tau for j in range(n)] for i in range(n)]
        region = [[None] * n for _ in range(n)]
        for i in range(n):
            for j in range(n):
                rel = [origin1[rows[j]][d] - origin2[rows[i]][d] for d in range(3)]
                dist = math.sqrt(sum(x * x for x in rel) + 1e-7)
                if r1 < dist <= r2 and rel[2] != 0:
                    region[i][j] = 0 if rel[2] > 0 else 1
                elif dist > r2 and rel[2] != 0:
                    region[i][j] = 2 if rel[2] > 0 else 3
                else:
                    region[i][j] = "near"
        for g in {region[i][j] for i in range(n) for j in range(n)}:
            scene_term = 0.0
            for i in range(n):
                keys = [j for j in range(n) if j == i or region[i][j] == g]
                biggest = max(sim[i][j] for j in keys)
                lse = biggest + math.log(sum(math.exp(sim[i][j] - biggest) for j in keys))
                scene_term += lse - sim[i][i]
            total += scene_term / n
    return total / (num_samples * partitions)


def _csc_scenes(seed):
    """Pair features and origins of 4 samples: two rooms, one sample with one pair, one without any.

    Heights sit on a 0.5 m grid (both copies of a pair share theirs), so many keys are at an anchor's exact
    height; the view-2 copy is the view-1 copy moved by < 3 cm in x/y.
    """
    g = torch.Generator().manual_seed(seed)
    sizes = {0: 30, 1: 14, 3: 1}  # sample 2 has no pair at all
    origin1, scene = [], []
    for s, n in sizes.items():
        xy = torch.rand(n, 2, generator=g) * torch.tensor([7.0, 5.0])
        z = torch.randint(0, 7, (n, 1), generator=g).float() * 0.5
        origin1.append(torch.cat([xy, z], dim=1))
        scene += [s] * n
    origin1 = torch.cat(origin1)
    origin2 = origin1 + torch.cat([(torch.rand(len(origin1), 2, generator=g) - 0.5) * 0.04,
                                   torch.zeros(len(origin1), 1)], dim=1)
    feat1 = torch.randn(len(origin1), 8, generator=g)
    feat2 = feat1 + 0.8 * torch.randn(len(origin1), 8, generator=g)
    return feat1, feat2, origin1, origin2, torch.tensor(scene), 4


@pytest.mark.parametrize("r1,r2", [(2.0, 20.0), (0.6, 3.0)])
def test_csc_loss_matches_a_float64_transcription_of_pointcept(r1, r2):
    feat1, feat2, origin1, origin2, scene, num_samples = _csc_scenes(0)
    model = build("MSC-v1m2", r1=r1, r2=r2)
    n = len(feat1)
    pairs = torch.stack([torch.arange(n), torch.arange(n)], dim=1)
    arrays = {"view1": {"origin_coord": origin1, "batch": scene},
              "view2": {"origin_coord": origin2, "batch": scene}}
    loss = model.contrast({"view1": feat1, "view2": feat2}, arrays, pairs, num_samples)
    expected = pointcept_csc_reference(feat1.double().tolist(), feat2.double().tolist(),
                                       origin1.double().tolist(), origin2.double().tolist(), scene.tolist(),
                                       num_samples, 0.4, r1, r2)
    assert float(loss) == pytest.approx(expected, rel=1e-5)
    # the data exercise what the semantics are about: a populated near region, dz == 0 keys, ring partitions
    rows = scene == 0
    part = csc_partitions(origin2[rows], origin1[rows], r1, r2)
    off_diagonal = ~torch.eye(int(rows.sum()), dtype=torch.bool)
    dz_zero = (origin1[rows][None, :, 2] == origin2[rows][:, None, 2]) & off_diagonal
    assert int((part[off_diagonal] == NEAR).sum()) > 20 and bool(dz_zero.any())
    assert set(torch.unique(part[off_diagonal]).tolist()) >= {NEAR, 0, 1}
    if r2 == 3.0:
        assert set(torch.unique(part[off_diagonal]).tolist()) == {NEAR, 0, 1, 2, 3}
    # and the earlier "cells" variant is a different number
    cells = build("MSC-v1m2", r1=r1, r2=r2, csc_reduction="cells")
    cells_loss = cells.contrast({"view1": feat1, "view2": feat2}, arrays, pairs, num_samples)
    assert abs(float(cells_loss) - expected) > 1e-3


def test_csc_loss_gradient_is_finite_for_anchors_without_negatives():
    feat1, feat2, origin1, origin2, scene, num_samples = _csc_scenes(1)
    feat1.requires_grad_(True)
    part = csc_partitions(origin2, origin1, 2.0, 20.0)
    loss, count = csc_info_nce(feat1, feat2, part, tau=0.07)
    loss.backward()
    assert count == len(feat1) and torch.isfinite(feat1.grad).all()


def pointcept_info_nce_reference(feat1, feat2, tau):
    """Pointcept's MSC-v1m1 loss as a float64 loop: one cross-entropy over all pairs of the batch."""
    a, b = [_unit(r) for r in feat1], [_unit(r) for r in feat2]
    total = 0.0
    for i in range(len(a)):
        row = [sum(x * y for x, y in zip(a[i], b[j])) / tau for j in range(len(b))]
        biggest = max(row)
        total += biggest + math.log(sum(math.exp(v - biggest) for v in row)) - row[i]
    return total / len(a)


def test_msc_info_nce_is_one_cross_entropy_over_all_pairs_of_the_batch():
    feat1, feat2, origin1, origin2, scene, num_samples = _csc_scenes(2)
    n = len(feat1)
    pairs = torch.stack([torch.arange(n), torch.arange(n)], dim=1)
    arrays = {"view1": {"origin_coord": origin1, "batch": scene},
              "view2": {"origin_coord": origin2, "batch": scene}}
    features = {"view1": feat1, "view2": feat2}
    batch_loss = build("MSC-v1m1").contrast(features, arrays, pairs, num_samples)
    expected = pointcept_info_nce_reference(feat1.double().tolist(), feat2.double().tolist(), 0.4)
    assert float(batch_loss) == pytest.approx(expected, rel=1e-5)
    # negatives="scene": the earlier per-scene mean (scenes with one pair have no negative and are left out)
    scene_loss = build("MSC-v1m1", negatives="scene").contrast(features, arrays, pairs, num_samples)
    per_scene = [pointcept_info_nce_reference(feat1[scene == s].double().tolist(),
                                              feat2[scene == s].double().tolist(), 0.4) for s in (0, 1)]
    assert float(scene_loss) == pytest.approx(sum(per_scene) / 2, rel=1e-5)
    assert abs(float(scene_loss) - expected) > 1e-2


# ------------------------------------------------------------------------------ pipelines and configs
def _view_types(pipeline):
    generator = next(t for t in pipeline if t["type"] == "ContrastiveViewsGenerator")
    return generator["view_trans_cfg"], [t["type"] for t in generator["view_trans_cfg"]]


def test_msc_pipeline_scales_once_before_the_copy_as_pointcept():
    pipeline = msc_pretrain_pipeline()
    assert [t["type"] for t in pipeline[:4]] == ["CenterShift", "RandomScale", "Copy",
                                                 "ContrastiveViewsGenerator"]
    views, types = _view_types(pipeline)
    assert "RandomScale" not in types
    assert types[types.index("GridSample") + 1] == "SphereCrop"
    assert views[types.index("SphereCrop")]["sample_rate"] == 0.6
    assert views[types.index("GridSample")]["grid_size"] == 0.02


def test_pointcontrast_pipeline_is_pointcepts_pc_views_with_a_crop():
    pipeline = pointcontrast_pretrain_pipeline()
    assert "RandomScale" not in [t["type"] for t in pipeline]  # no scale augmentation at all
    views, types = _view_types(pipeline)
    assert types[:7] == ["RandomRotate"] * 3 + ["RandomFlip", "RandomJitter", "RandomColorJitter",
                                                "GaussianJitter"]
    assert "RandomScale" not in types and "SphereCrop" in types  # crop kept: scene views must overlap partly
    assert views[types.index("GridSample")]["grid_size"] == 0.025
    assert pipeline[-1]["view1_feat_keys"] == ("view1_color",)
    assert pipeline[-1]["view2_feat_keys"] == ("view2_color",)
    room = generate_room(0, points_per_m2=50)
    data = {"coord": room["coord"], "color": room["color"].astype(np.float32),
            "index_valid_keys": ["coord", "color"]}
    pipeline = Compose(pointcontrast_pretrain_pipeline(grid_size=0.1, match_radius=0.1))
    sample = pipeline(data, np.random.default_rng(0))
    assert sample["view1_feat"].shape[1] == 3 and sample["view2_feat"].shape[1] == 3
    assert len(sample["match_index"]) > 50


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = os.path.join(ROOT, "configs")
ALL_SCANS, REAL, DEMO = ["train", "val", "test"], ["train", "val"], ["train", "val"]


@pytest.mark.parametrize("name,splits,method,grid", [
    ("scannet/pretrain-msc-v1m1-0-spunet-base.py", ALL_SCANS, "msc", 0.02),
    ("scannet/pretrain-msc-v1m1-1-spunet-pointcontrast.py", ALL_SCANS, "pc", 0.025),
    ("scannet/pretrain-msc-v1m2-0-spunet-csc.py", ALL_SCANS, "csc", 0.025),
    ("scannet/pretrain-msc-v1m1-3-real-cpu.py", REAL, "msc", 0.05),
    ("scannet/pretrain-msc-v1m1-4-real-cpu-pointcontrast.py", REAL, "pc", 0.05),
    ("scannet/pretrain-msc-v1m2-3-real-cpu-csc.py", REAL, "csc", 0.05),
    ("demo/pretrain-msc-v1m1-0-spunet-base.py", DEMO, "msc", 0.05),
    ("demo/pretrain-msc-v1m1-1-spunet-pointcontrast.py", DEMO, "pc", 0.05),
    ("demo/pretrain-msc-v1m2-0-spunet-csc.py", DEMO, "csc", 0.05),
])
def test_pretraining_configs_follow_pointcepts(name, splits, method, grid):
    cfg = Config.fromfile(os.path.join(CONFIGS, name))
    model, train = cfg.model, cfg.data.train
    assert list(train.split) == splits  # unlabelled pretraining on every scan there is
    # PC / CSC: colour only as Pointcept, except in the CPU/demo benchmark profiles, where every method
    # takes the one fine-tuning config's colour + normal input
    full_scannet = name.startswith("scannet/") and "real-cpu" not in name
    channels = 3 if method != "msc" and full_scannet else 6
    assert model.backbone.in_channels == model.backbone_in_channels == channels
    assert len(train.transform[-1]["view1_feat_keys"]) * 3 == channels
    views, types = _view_types(train.transform)
    assert views[types.index("GridSample")]["grid_size"] == grid and "SphereCrop" in types
    scaled = "RandomScale" in [t["type"] for t in train.transform]
    assert scaled == (method == "msc")
    if method == "csc":
        assert (model.partitions, model.r1, model.r2, model.negatives) == (4, 2.0, 20.0, "scene")
    else:
        assert model.get("negatives", "batch") == "batch" and model.get("partitions", 1) == 1
    if name.startswith("scannet/pretrain-msc-v1m1-0") or name.startswith("scannet/pretrain-msc-v1m2-0"):
        assert (cfg.enable_amp, cfg.sync_bn) == (False, False)  # Pointcept's MSC runtime: fp32, per-GPU BN


# ------------------------------------------------------------------------------ models
def test_registered_variants_and_their_presets():
    msc, pc, csc, csc_alias = build(), build("PointContrast-v1m1"), build("MSC-v1m2"), build("CSC-v1m1")
    assert (msc.mask_rate, msc.view_mix_prob["view1"], msc.nce_t, msc.partitions) == (0.4, 0.8, 0.4, 1)
    assert (msc.negatives, msc.unmask_matched_pairs) == ("batch", False)
    assert msc.mask_token is not None and msc.color_head is not None and msc.normal_head is None
    assert (pc.mask_rate, pc.view_mix_prob["view1"], pc.nce_t, pc.partitions) == (0.0, 0.0, 0.07, 1)
    assert pc.negatives == "batch"
    assert pc.mask_token is None and pc.color_head is None
    assert build("PointContrast-v1m1", matching_max_pair=None or 4096).matching_max_pair == 4096
    assert (csc.partitions, csc.r1, csc.r2, csc.mask_rate) == (4, 2.0, 20.0, 0.0)  # Pointcept's CSC config
    assert (csc.negatives, csc.csc_reduction) == ("scene", "pointcept")
    assert type(csc) is type(csc_alias) and isinstance(csc, msc_module.MaskedSceneContrast)
    assert build("PointContrast-v1m1", nce_t=0.2).nce_t == 0.2  # presets stay overridable


@pytest.mark.parametrize("overrides,match", [
    (dict(mask_rate=0.6), "mask_rate must be in"),
    (dict(view1_mix_prob=1.5), "view1_mix_prob must be in"),
    (dict(partitions=3), "partitions must be 1"),
    (dict(matching_max_k=0), "matching_max_k must be a positive integer"),
    (dict(nce_t=0.0), "nce_t must be > 0"),
    (dict(maks_rate=0.4), "maks_rate"),
    (dict(negatives="world"), "negatives='world'"),
    (dict(partitions=4), "needs negatives='scene'"),
    (dict(csc_reduction="mean"), "csc_reduction='mean'"),
])
def test_bad_arguments_are_named(overrides, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build(**overrides)


def test_missing_reconstruction_target_is_named(view_batch):
    batch = {k: v for k, v in view_batch.items() if k != "view2_color"}
    with pytest.raises(KeyError, match="view2_color"):
        build()(batch)


def test_global_and_hand_built_local_batches_give_the_same_step(view_samples, view_batch):
    local = collate_fn(view_samples)  # plain concatenation: local indices, no view*_batch
    assert "view1_batch" not in local and "view1_batch" in view_batch
    model = build(view1_mix_prob=1.0)
    outs = []
    for batch in (view_batch, local):
        torch.manual_seed(4)
        outs.append(model(batch))
    for key in ("loss", "nce_loss", "num_pairs", "mask_share"):
        assert torch.equal(outs[0][key], outs[1][key]), key


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
