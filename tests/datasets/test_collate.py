"""Batching point clouds: concatenation, cumulative offsets, Mix3D pairs, test-mode passthrough."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from pointcept.datasets import collate_fn, point_collate_fn
from pointcept.datasets.transforms import Compose

PIPELINE = [
    dict(type="Copy", keys_dict={"segment": "origin_segment"}),
    dict(type="GridSample", grid_size=0.2, return_inverse=True),
    dict(type="NormalizeColor"),
    dict(type="ToTensor"),
    dict(
        type="Collect",
        keys=("coord", "grid_coord", "segment", "instance", "origin_segment", "inverse", "name"),
        feat_keys=("color", "normal"),
    ),
]


def samples(make_cloud, sizes=(300, 500, 400, 200)) -> list[dict]:
    pipeline = Compose(PIPELINE)
    return [pipeline(make_cloud(n, seed=i), np.random.default_rng(i)) for i, n in enumerate(sizes)]


def test_collate_concatenates_and_accumulates_offsets(make_cloud):
    batch = samples(make_cloud)
    out = point_collate_fn(batch)
    counts = [len(s["coord"]) for s in batch]
    assert out["offset"].dtype == torch.int64
    assert out["offset"].tolist() == np.cumsum(counts).tolist()
    torch.testing.assert_close(out["coord"], torch.cat([s["coord"] for s in batch]))
    torch.testing.assert_close(out["feat"], torch.cat([s["feat"] for s in batch]))
    assert out["feat"].shape == (sum(counts), 6)
    assert out["name"] == ["synthetic"] * 4


def test_collate_shifts_inverse_into_the_batch(make_cloud):
    batch = samples(make_cloud)
    out = point_collate_fn(batch)
    # pred of the batch mapped through inverse == each sample's own mapping
    pred = torch.arange(len(out["coord"]))
    starts = [0] + out["offset"][:-1].tolist()
    expected = torch.cat([s["inverse"] + start for s, start in zip(batch, starts)])
    torch.testing.assert_close(pred[out["inverse"]], expected)
    own = torch.cat([s["grid_coord"][s["inverse"]] for s in batch])
    torch.testing.assert_close(out["grid_coord"][out["inverse"]], own)
    assert len(out["inverse"]) == len(out["origin_segment"]) == sum(len(s["origin_segment"]) for s in batch)


def test_collate_generic_values():
    batch = [
        {"x": torch.ones(2, 3), "meta": {"offset": torch.tensor([2]), "k": torch.tensor(1.0)}, "n": 2},
        {"x": torch.zeros(1, 3), "meta": {"offset": torch.tensor([1]), "k": torch.tensor(2.0)}, "n": 1},
    ]
    batch[0]["tags"], batch[1]["tags"] = ["a"], ["b"]
    out = collate_fn(batch)
    assert out["x"].shape == (3, 3)
    assert out["meta"]["offset"].tolist() == [2, 3] and out["meta"]["k"].tolist() == [1.0, 2.0]
    assert out["tags"] == [["a"], ["b"]] and out["n"].tolist() == [2, 1]
    with pytest.raises(KeyError, match="sample 1"):
        collate_fn([{"x": torch.ones(1), "y": torch.ones(1)}, {"x": torch.ones(1)}])


def test_mix_prob_one_merges_consecutive_pairs(make_cloud):
    batch = samples(make_cloud)
    plain = point_collate_fn(batch)
    mixed = point_collate_fn(batch, mix_prob=1.0)
    assert mixed["offset"].tolist() == plain["offset"][1::2].tolist()
    torch.testing.assert_close(mixed["coord"], plain["coord"])
    # instance ids of the second sample of a pair are shifted past the first's
    offset = [0] + plain["offset"].tolist()
    for first in (0, 2):
        a = plain["instance"][offset[first] : offset[first + 1]]
        b_plain = plain["instance"][offset[first + 1] : offset[first + 2]]
        b_mixed = mixed["instance"][offset[first + 1] : offset[first + 2]]
        shift = int(a[a != -1].max()) + 1
        torch.testing.assert_close(b_mixed, torch.where(b_plain != -1, b_plain + shift, b_plain))
    odd = point_collate_fn(batch[:3], mix_prob=1.0)
    assert odd["offset"].tolist() == [plain["offset"][1].item(), plain["offset"][2].item()]
    assert point_collate_fn(batch, mix_prob=0.0)["offset"].tolist() == plain["offset"].tolist()


def test_mix_uses_torch_rng(make_cloud):
    batch = samples(make_cloud)
    torch.manual_seed(0)
    first = [len(point_collate_fn(batch, mix_prob=0.5)["offset"]) for _ in range(20)]
    torch.manual_seed(0)
    again = [len(point_collate_fn(batch, mix_prob=0.5)["offset"]) for _ in range(20)]
    assert first == again and set(first) == {2, 4}


def test_test_mode_sample_passes_through():
    sample = {"name": "scene", "segment": np.zeros(5), "fragment_list": [{"coord": torch.zeros(5, 3)}]}
    assert point_collate_fn([sample]) is sample
    with pytest.raises(ValueError, match="batch_size=1"):
        point_collate_fn([sample, sample])


def test_dataloader_with_point_collate(make_cloud):
    data = samples(make_cloud)
    loader = DataLoader(data, batch_size=2, collate_fn=point_collate_fn)
    batches = list(loader)
    assert [b["offset"].tolist() for b in batches] == [
        [len(data[0]["coord"]), len(data[0]["coord"]) + len(data[1]["coord"])],
        [len(data[2]["coord"]), len(data[2]["coord"]) + len(data[3]["coord"])],
    ]
