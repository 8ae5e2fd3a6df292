"""The shared matcher (pointcept/utils/matching.py): radius, k limit, samples, and GC's use of it."""

import numpy as np
import pytest
import torch

from pointcept.datasets.collate import point_collate_fn
from pointcept.datasets.demo import generate_room
from pointcept.datasets.pipelines import msc_pretrain_pipeline
from pointcept.datasets.transforms import Compose
from pointcept.models.layers import matching as old_path
from pointcept.utils.matching import one_per_query, radius_match, sample_rows, view_pairs


def test_known_views_give_the_known_pairs_with_radius_and_k_limit():
    # view 1: two queries; view 2: partners at known distances from query 0, one from query 1, and a point
    # of another sample lying exactly on query 0 (never a partner: samples are matched separately)
    query = torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    support = torch.tensor([
        [0.02, 0.0, 0.0],    # 0: d 0.02 from q0
        [0.0, 0.01, 0.0],    # 1: d 0.01 from q0
        [0.0, 0.0, 0.025],   # 2: d 0.025 from q0
        [0.0, 0.0, -0.04],   # 3: d 0.04 from q0: outside 0.03
        [1.0, 1.0, 1.015],   # 4: d 0.015 from q1
        [0.0, 0.0, 0.0],     # 5: other sample
    ])
    query_batch = torch.tensor([0, 0])
    support_batch = torch.tensor([0, 0, 0, 0, 0, 1])
    pairs, dist = radius_match(query, query_batch, support, support_batch, radius=0.03, max_k=8)
    assert pairs.tolist() == [[0, 1], [0, 0], [0, 2], [1, 4]]  # by query, then by distance
    torch.testing.assert_close(dist, torch.tensor([0.01, 0.02, 0.025, 0.015]))
    pairs, _ = radius_match(query, query_batch, support, support_batch, radius=0.03, max_k=2)
    assert pairs.tolist() == [[0, 1], [0, 0], [1, 4]]
    pairs, _ = radius_match(query, query_batch, support, support_batch, radius=0.05, max_k=8)
    assert [0, 3] in pairs.tolist() and [0, 5] not in pairs.tolist()


def test_radius_is_inclusive_and_cells_do_not_wrap():
    query = torch.tensor([[0.0, 0.0, 0.0]])
    support = torch.tensor([[0.5, 0.0, 0.0], [-0.5, 0.0, 0.0], [0.0, 0.0, 0.75]])
    pairs, _ = radius_match(query, torch.zeros(1, dtype=torch.long), support, torch.zeros(3, dtype=torch.long), 0.5, 8)
    assert sorted(pairs[:, 1].tolist()) == [0, 1]


@pytest.mark.parametrize("max_k", [1, 3])
def test_matches_brute_force_on_random_clouds(max_k):
    g = torch.Generator().manual_seed(0)
    query, support = torch.rand(400, 3, generator=g), torch.rand(500, 3, generator=g)
    qb, sb = torch.randint(0, 3, (400,), generator=g), torch.randint(0, 3, (500,), generator=g)
    radius = 0.12
    pairs, _ = radius_match(query, qb, support, sb, radius, max_k)
    dist = torch.cdist(query.double(), support.double())
    dist[qb[:, None] != sb[None, :]] = float("inf")
    expected = set()
    for i in range(len(query)):
        near = torch.nonzero(dist[i] <= radius).flatten()
        near = near[torch.argsort(dist[i, near])][:max_k]
        expected |= {(i, int(j)) for j in near}
    assert {tuple(p) for p in pairs.tolist()} == expected
    assert len(expected) > 150  # the test exercises real neighbourhoods


def test_k1_radius_match_reproduces_the_generators_match_index():
    pipeline = Compose(msc_pretrain_pipeline(grid_size=0.1, match_radius=0.1))
    samples = []
    for seed in (0, 1):
        room = generate_room(seed, points_per_m2=40)
        data = {k: room[k] for k in ("coord", "color", "normal")}
        data["color"] = data["color"].astype(np.float32)
        data["index_valid_keys"] = ["coord", "color", "normal"]
        samples.append(pipeline(data, np.random.default_rng(seed)))
    batch = point_collate_fn(samples)  # batch-global indices
    generator_pairs, generator_batch = view_pairs(batch)  # radius=None: the generator's pairs
    pairs, pair_batch = view_pairs(batch, radius=0.1, max_k=1)
    assert len(generator_pairs) > 50
    assert {tuple(p) for p in pairs.tolist()} == {tuple(p) for p in generator_pairs.tolist()}
    assert torch.equal(pair_batch, batch["view1_batch"][pairs[:, 0]])
    assert torch.equal(generator_batch, batch["match_batch"])


def test_old_import_path_reexports_the_one_matcher():
    assert (old_path.radius_match, old_path.one_per_query, old_path.sample_rows, old_path.view_pairs) == (
        radius_match, one_per_query, sample_rows, view_pairs)


def test_ties_break_by_support_row():
    # three support points at the same distance, in two cells; and two duplicates of one point
    query = torch.zeros(1, 3)
    support = torch.tensor([[0.05, 0.0, 0.0], [-0.05, 0.0, 0.0], [0.0, 0.05, 0.0], [0.05, 0.0, 0.0]])
    zeros = torch.zeros(4, dtype=torch.long)
    pairs, _ = radius_match(query, zeros[:1], support, zeros, 0.1, max_k=4)
    first = pairs[:, 1].tolist()
    assert sorted(first) == [0, 1, 2, 3]
    assert first.index(0) < first.index(3)  # duplicates in one cell: lower row first
    assert radius_match(query, zeros[:1], support, zeros, 0.1, max_k=1)[0].tolist() == [[0, first[0]]]


def test_one_per_query_keeps_one_candidate_of_each_query():
    pairs = torch.tensor([[0, 5], [0, 6], [0, 7], [2, 1], [3, 4], [3, 9]])
    torch.manual_seed(0)
    picked = one_per_query(pairs)
    assert picked[:, 0].tolist() == [0, 2, 3]
    assert all(tuple(p) in {tuple(q) for q in pairs.tolist()} for p in picked.tolist())
    seen = {tuple(one_per_query(pairs)[0].tolist()) for _ in range(50)}
    assert len(seen) > 1  # random among the candidates, not always the nearest


def test_sample_rows_budget():
    rows = torch.arange(100)
    picked = sample_rows(rows, 10)
    assert len(picked) == 10 and len(torch.unique(picked)) == 10
    assert torch.equal(sample_rows(rows[:5], 10), rows[:5])


def test_bad_input_names_the_problem():
    coord, batch = torch.zeros(4, 3), torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match="radius must be > 0"):
        radius_match(coord, batch, coord, batch, 0.0)
    with pytest.raises(ValueError, match="max_k must be >= 1"):
        radius_match(coord, batch, coord, batch, 0.1, max_k=0)
    with pytest.raises(ValueError, match="query batch"):
        radius_match(coord, batch[:3], coord, batch, 0.1)
    with pytest.raises(ValueError, match=r"support coordinates must be \(N, 3\)"):
        radius_match(coord, batch, torch.zeros(4, 2), batch, 0.1)
    with pytest.raises(KeyError, match="view1_origin_coord"):
        view_pairs({"view1_batch": batch}, radius=0.1)


def test_groupcontrast_routes_its_pairs_through_the_shared_matcher(monkeypatch):
    from pointcept.models import build_model
    from pointcept.models.group_contrast import model as gc_module
    from pointcept.datasets.pipelines import groupcontrast_pretrain_pipeline

    pipeline = Compose(groupcontrast_pretrain_pipeline(grid_size=0.1, match_radius=0.1))
    room = generate_room(0, points_per_m2=40)
    data = {k: room[k] for k in ("coord", "color", "normal", "superpoint")}
    data["color"] = data["color"].astype(np.float32)
    data["index_valid_keys"] = list(data)
    batch = point_collate_fn([pipeline(data, np.random.default_rng(0))])
    calls = []
    real = gc_module.view_pairs
    monkeypatch.setattr(gc_module, "view_pairs", lambda *a, **k: calls.append(1) or real(*a, **k))
    tiny = dict(type="SpUNet-v1m1", in_channels=6, num_classes=0, base_channels=8,
                channels=(8, 16, 16, 16, 16, 16, 16, 16), layers=(1,) * 8)
    torch.manual_seed(0)
    model = build_model(dict(type="GC-v1m1", backbone=tiny, backbone_out_channels=16, projector_hidden=16,
                             group_dim=8, contrast_dim=8, num_prototypes=6, num_samples=64, positive="matched"))
    assert torch.isfinite(model(batch)["loss"])
    assert calls
