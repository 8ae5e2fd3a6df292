"""offset <-> batch bookkeeping of concatenated clouds."""

from __future__ import annotations

import torch

from pointcept.models.utils import batch2offset, bincount2offset, offset2batch, offset2bincount


def test_round_trip():
    offset = torch.tensor([3, 5, 9])
    batch = offset2batch(offset)
    assert batch.tolist() == [0, 0, 0, 1, 1, 2, 2, 2, 2] and batch.dtype == torch.long
    assert offset2bincount(offset).tolist() == [3, 2, 4]
    assert torch.equal(batch2offset(batch), offset)
    assert torch.equal(bincount2offset(offset2bincount(offset)), offset)


def test_empty_samples_survive():
    offset = torch.tensor([2, 2, 5, 5])
    batch = offset2batch(offset)
    assert batch.tolist() == [0, 0, 2, 2, 2]
    assert torch.equal(batch2offset(batch, num_samples=4), offset)


def test_int32_offsets_and_no_autograd():
    offset = torch.tensor([4, 6], dtype=torch.int32)
    assert offset2batch(offset).tolist() == [0, 0, 0, 0, 1, 1]
    assert offset2bincount(offset).dtype == torch.long
    assert not offset2batch(offset).requires_grad
