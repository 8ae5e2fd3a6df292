"""Distributed helpers that also answer sensibly without a process group (world size 1, rank 0)."""

from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import torch
import torch.distributed as dist


def is_distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def get_world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def get_rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def get_local_rank() -> int:
    return int(os.environ.get("LOCAL_RANK", 0)) if is_distributed() else 0


def is_main_process() -> bool:
    return get_rank() == 0


def synchronize() -> None:
    if is_distributed() and get_world_size() > 1:
        if dist.get_backend() == dist.Backend.NCCL and torch.cuda.is_available():
            dist.barrier(device_ids=[torch.cuda.current_device()])
        else:
            dist.barrier()


def default_device() -> torch.device:
    """The device this process computes on: its local GPU under CUDA, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def all_reduce_sum(tensor: torch.Tensor) -> torch.Tensor:
    """Sum over ranks in place (no-op in a single process); returns the tensor."""
    if get_world_size() > 1:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def all_reduce_mean(tensor: torch.Tensor) -> torch.Tensor:
    world = get_world_size()
    if world > 1:
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        tensor.div_(world)
    return tensor


def all_gather_object(obj: Any) -> list[Any]:
    """Every rank's ``obj`` as a list indexed by rank."""
    world = get_world_size()
    if world == 1:
        return [obj]
    out: list[Any] = [None] * world
    dist.all_gather_object(out, obj)
    return out


def all_gather_list(items: Sequence[Any]) -> list[Any]:
    """Every rank's ``items`` concatenated in rank order (``list(items)`` in a single process).

    Why: distributed evaluation gathers small per-scene records from all ranks and scores them everywhere;
    ranks may hold different numbers of records (or none), and rank order keeps the result deterministic.
    """
    return [item for part in all_gather_object(list(items)) for item in part]


def to_device(data: Any, device: torch.device | str, non_blocking: bool = False) -> Any:
    """``data`` with every tensor moved to ``device``; mappings, lists and tuples are rebuilt around the
    moved values (a mapping becomes a ``dict``), anything else is kept as is.

    Why: a collated batch mixes tensors with names and other plain values; the trainer, the validation
    hooks and the testers all move batches to the compute device the same way.
    """
    if isinstance(data, torch.Tensor):
        return data.to(device, non_blocking=non_blocking)
    if isinstance(data, Mapping):
        return {key: to_device(value, device, non_blocking) for key, value in data.items()}
    if isinstance(data, (list, tuple)) and not hasattr(data, "_fields"):  # not a namedtuple
        return type(data)(to_device(value, device, non_blocking) for value in data)
    return data


def broadcast_object(obj: Any, src: int = 0) -> Any:
    if get_world_size() == 1:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=src)
    return box[0]
