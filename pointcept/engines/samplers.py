"""Samplers that behave the same with one or many processes."""

from __future__ import annotations

import random
from typing import Iterator

import numpy as np
import torch
from torch.utils.data import Sampler


class EpochShuffleSampler(Sampler[int]):
    """A permutation seeded by ``(seed, epoch)``, padded to a multiple of the world size and sharded by
    rank. The order depends only on seed and epoch, so a resumed run sees the same batches."""

    def __init__(self, size: int, world_size: int = 1, rank: int = 0, seed: int | None = 0, shuffle: bool = True):
        self.size = size
        self.world_size = world_size
        self.rank = rank
        self.seed = 0 if seed is None else int(seed)
        self.shuffle = shuffle
        self.epoch = 0
        self.per_rank = -(-size // world_size)

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        if self.shuffle:
            generator = torch.Generator().manual_seed(self.seed * 100003 + self.epoch)
            order = torch.randperm(self.size, generator=generator).tolist()
        else:
            order = list(range(self.size))
        total = self.per_rank * self.world_size
        order += order[: total - len(order)]
        return iter(order[self.rank : total : self.world_size])

    def __len__(self) -> int:
        return self.per_rank


class InferenceSampler(Sampler[int]):
    """Each sample exactly once over all ranks (no padding, so no sample is counted twice in metrics)."""

    def __init__(self, size: int, world_size: int = 1, rank: int = 0):
        self.indices = list(range(rank, size, world_size))

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)


def seed_worker(worker_id: int) -> None:
    """Seed numpy and ``random`` in a DataLoader worker from its torch seed (set per epoch by torch)."""
    seed = torch.initial_seed() % 2**32
    np.random.seed(seed)
    random.seed(seed)
