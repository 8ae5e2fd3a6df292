"""Collating two-view samples: ``point_collate_fn`` makes their per-sample indices batch-global.

``collate_fn`` (plain concatenation) keeps them local; :func:`globalize_view_batch` is what
``point_collate_fn`` applies, idempotent on a batch that is already global.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pointcept.datasets import build_dataset, collate_fn, point_collate_fn
from pointcept.datasets.demo import generate_room, write_demo_dataset
from pointcept.datasets.pipelines import groupcontrast_pretrain_pipeline
from pointcept.datasets.transforms import Compose
from pointcept.datasets import views_batch
from pointcept.utils.offsets import offset2batch as offset_to_batch
from pointcept.utils.views import (GLOBAL_VIEW_KEYS, globalize_view_batch, is_global_view_batch,
                                   with_global_views)


def demo_sample(seed: int) -> dict:
    room = generate_room(seed, points_per_m2=120.0, room_size=(3.0, 4.0))
    return {
        "coord": room["coord"], "color": room["color"].astype(np.float32), "normal": room["normal"],
        "superpoint": room["superpoint"], "name": f"room{seed}",
        "index_valid_keys": ["coord", "color", "normal", "superpoint"],
    }


@pytest.fixture(scope="module")
def samples() -> list[dict]:
    pipeline = Compose(groupcontrast_pretrain_pipeline(cell_size=1.0))
    return [pipeline(demo_sample(seed), np.random.default_rng(seed)) for seed in range(3)]


def test_collate_keeps_local_indices_and_cumsums_offsets(samples):
    batch = collate_fn(samples)  # plain concatenation: indices stay local to their sample
    assert batch["view1_offset"].tolist() == np.cumsum([len(s["view1_coord"]) for s in samples]).tolist()
    assert batch["match_offset"].tolist() == np.cumsum([len(s["match_index"]) for s in samples]).tolist()
    assert batch["num_segments"].tolist() == [int(s["num_segments"]) for s in samples]  # not summed
    assert torch.equal(batch["match_index"], torch.cat([s["match_index"] for s in samples]))  # still local
    assert batch["view1_feat"].shape == (len(batch["view1_coord"]), 6)
    assert batch["view1_overlap"].dtype == torch.bool
    assert not is_global_view_batch(batch)


def test_point_collate_gives_the_globalised_batch(samples):
    local = collate_fn(samples)
    batch = point_collate_fn(samples)
    expected = {**local, **globalize_view_batch(local)}
    assert set(batch) == set(expected) and is_global_view_batch(batch)
    for key, value in expected.items():
        assert torch.equal(batch[key], value), key
    assert batch["num_segments"].tolist() == [int(s["num_segments"]) for s in samples]  # still per sample
    assert not torch.equal(batch["match_index"], local["match_index"])  # shifted: samples 1, 2 start later


def test_a_global_batch_is_never_shifted_twice(samples):
    batch = point_collate_fn(samples)
    again = globalize_view_batch(batch)
    assert set(again) == {k for k in GLOBAL_VIEW_KEYS if k in batch}
    for key, value in again.items():
        assert value is batch[key], key  # the batch's own entries, untouched
    assert with_global_views(batch) is batch
    twice = with_global_views(with_global_views(collate_fn(samples)))
    assert all(torch.equal(twice[k], batch[k]) for k in batch)
    assert views_batch.globalize_view_batch is globalize_view_batch  # the old import path still works


def test_globalize_gives_valid_global_rows(samples):
    batch = collate_fn(samples)
    g = globalize_view_batch(batch)
    rows = 0
    for b, s in enumerate(samples):
        sel = g["match_batch"] == b
        assert int(sel.sum()) == len(s["match_index"])
        gi, li = g["match_index"][sel], s["match_index"]
        for v in (0, 1):
            view = f"view{v + 1}"
            assert torch.equal(batch[f"{view}_coord"][gi[:, v]], s[f"{view}_coord"][li[:, v]])
            assert torch.equal(batch[f"{view}_origin_index"][gi[:, v]], s[f"{view}_origin_index"][li[:, v]])
        rows += len(li)
    assert rows == len(g["match_index"])
    counts = torch.tensor([len(s["view1_coord"]) for s in samples])
    assert torch.equal(g["view1_batch"], torch.repeat_interleave(torch.arange(3), counts))
    assert torch.equal(g["match_batch"], torch.sort(g["match_batch"]).values)
    assert torch.equal(batch["match_index"], torch.cat([s["match_index"] for s in samples]))  # not modified


def test_globalize_makes_segments_unique_across_samples(samples):
    batch = collate_fn(samples)
    g = globalize_view_batch(batch)
    total = int(batch["num_segments"].sum())
    assert len(g["segment_batch"]) == total
    for view in ("view1", "view2"):
        seg, local = g[f"{view}_segment"], batch[f"{view}_segment"]
        assert torch.equal(seg < 0, local < 0) and (seg[local < 0] == -1).all()
        valid = seg >= 0
        # every id belongs to the sample of its point
        assert torch.equal(g["segment_batch"][seg[valid]], g[f"{view}_batch"][valid])
        assert set(seg[valid].tolist()) == set(range(total))
    i, j = g["match_index"].T
    same = batch["view1_segment"][i] == batch["view2_segment"][j]
    assert torch.equal(g["view1_segment"][i][same], g["view2_segment"][j][same])
    # grid cells: (sample, cell) pairs get one dense id, shared by both views
    c1, c2 = g["view1_grid_cell"], g["view2_grid_cell"]
    key1 = torch.stack([g["view1_batch"], batch["view1_grid_cell"]], 1)
    key2 = torch.stack([g["view2_batch"], batch["view2_grid_cell"]], 1)
    pairs = torch.unique(torch.cat([torch.cat([c1, c2])[:, None], torch.cat([key1, key2])], 1), dim=0)
    num_keys = len(torch.unique(torch.cat([key1, key2]), dim=0))
    assert len(pairs) == len(torch.unique(torch.cat([c1, c2]))) == num_keys


def test_globalize_toy_batch():
    batch = {
        "view1_offset": torch.tensor([2, 5]), "view2_offset": torch.tensor([3, 4]),
        "match_index": torch.tensor([[0, 2], [1, 0], [2, 0]]), "match_offset": torch.tensor([2, 3]),
        "num_segments": torch.tensor([2, 1]),
        "view1_segment": torch.tensor([1, -1, 0, -1, 0]), "view2_segment": torch.tensor([0, 1, -1, 0]),
    }
    g = globalize_view_batch(batch)
    assert g["match_index"].tolist() == [[0, 2], [1, 0], [4, 3]]
    assert g["match_batch"].tolist() == [0, 0, 1]
    assert g["view1_segment"].tolist() == [1, -1, 2, -1, 2] and g["view2_segment"].tolist() == [0, 1, -1, 2]
    assert g["segment_batch"].tolist() == [0, 0, 1]
    assert offset_to_batch(torch.tensor([0, 2, 2])).tolist() == [1, 1]  # empty samples are fine
    with pytest.raises(ValueError, match="match_offset"):
        globalize_view_batch({**batch, "match_offset": torch.tensor([2, 4])})


def test_full_pipeline_on_demo_dataset(tmp_path):
    write_demo_dataset(tmp_path, num_train=2, num_val=0, seed=3, points_per_m2=120.0, room_size=[3.0, 4.0])
    dataset = build_dataset(dict(type="DemoDataset", split="train", data_root=str(tmp_path),
                                 transform=groupcontrast_pretrain_pipeline()))
    torch.manual_seed(0)
    batch = point_collate_fn([dataset[0], dataset[1], dataset[0]])
    per_view = ("coord", "grid_coord", "origin_coord", "origin_index", "overlap", "segment", "offset", "feat",
                "batch")
    expected = {f"view{v}_{k}" for v in (1, 2) for k in per_view}
    expected |= {"match_index", "match_offset", "num_segments", "match_batch", "segment_batch"}
    assert set(batch) == expected
    assert batch["view1_grid_coord"].dtype == torch.int64 and batch["view1_feat"].shape[1] == 6
    assert batch["num_segments"].shape == (3,) and (batch["num_segments"] > 0).all()
    g = batch  # point_collate_fn already globalised it
    o1 = batch["view1_origin_coord"][g["match_index"][:, 0]]
    o2 = batch["view2_origin_coord"][g["match_index"][:, 1]]
    assert ((o1 - o2).norm(dim=1) <= 0.03 + 1e-6).all()
    assert (g["view1_batch"][g["match_index"][:, 0]] == g["match_batch"]).all()
    assert (g["view2_batch"][g["match_index"][:, 1]] == g["match_batch"]).all()
