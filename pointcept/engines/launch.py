"""Start one process per device, or join a world described by torchrun / SLURM.

* ``tools/train.py --num-gpus N`` spawns N local workers (NCCL on CUDA, gloo on the CPU, where N means
  N CPU processes); with ``--num-machines M --machine-rank R --dist-url tcp://host:port`` each machine
  spawns its share of a multi-node world.
* Under ``torchrun`` (``RANK``/``WORLD_SIZE``/``LOCAL_RANK`` set) or ``srun`` with one task per device
  (``SLURM_PROCID``/``SLURM_NTASKS`` > 1) the process is already one rank: it joins via the environment.
"""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
from typing import Any, Callable

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from pointcept.utils.comm import synchronize

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)


def find_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def backend_for_device() -> str:
    return "nccl" if torch.cuda.is_available() else "gloo"


def environment_world() -> dict[str, Any] | None:
    """Rank, world size, local rank and rendezvous from torchrun or SLURM variables, or None."""
    env = os.environ
    if int(env.get("WORLD_SIZE", "1")) > 1 and "RANK" in env:
        return {
            "rank": int(env["RANK"]),
            "world_size": int(env["WORLD_SIZE"]),
            "local_rank": int(env.get("LOCAL_RANK", 0)),
            "init_method": "env://",
        }
    if int(env.get("SLURM_NTASKS", "1")) > 1 and "SLURM_PROCID" in env:
        addr = env.get("MASTER_ADDR") or _slurm_first_host(env.get("SLURM_JOB_NODELIST", env.get("SLURM_NODELIST", "")))
        port = env.get("MASTER_PORT") or str(29500 + int(env.get("SLURM_JOB_ID", "0")) % 1000)
        return {
            "rank": int(env["SLURM_PROCID"]),
            "world_size": int(env["SLURM_NTASKS"]),
            "local_rank": int(env.get("SLURM_LOCALID", 0)),
            "init_method": f"tcp://{addr}:{port}",
        }
    return None


def _slurm_first_host(nodelist: str) -> str:
    if not nodelist:
        raise RuntimeError("SLURM world without SLURM_JOB_NODELIST: set MASTER_ADDR")
    try:
        out = subprocess.run(["scontrol", "show", "hostnames", nodelist], capture_output=True, text=True, check=True)
        return out.stdout.split()[0]
    except (OSError, subprocess.CalledProcessError, IndexError) as error:
        raise RuntimeError(f"cannot resolve the first host of {nodelist!r}; set MASTER_ADDR") from error


def _init_process(rank: int, world_size: int, local_rank: int, init_method: str, timeout) -> None:
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world_size), LOCAL_RANK=str(local_rank))
    if torch.cuda.is_available():
        if local_rank >= torch.cuda.device_count():
            raise RuntimeError(f"local rank {local_rank} but only {torch.cuda.device_count()} CUDA devices")
        torch.cuda.set_device(local_rank)
    else:
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", world_size))
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(local_world, 1)))
    dist.init_process_group(backend_for_device(), init_method=init_method, world_size=world_size, rank=rank, timeout=timeout)
    synchronize()


def _worker(local_rank: int, main_func: Callable, world_size: int, gpus_per_machine: int, machine_rank: int,
            dist_url: str, args: tuple, timeout) -> None:
    os.environ["LOCAL_WORLD_SIZE"] = str(gpus_per_machine)
    _init_process(machine_rank * gpus_per_machine + local_rank, world_size, local_rank, dist_url, timeout)
    _run_then_teardown(main_func, args)


def _run_then_teardown(main_func: Callable, args: tuple) -> None:
    """``main_func(*args)``, then a barrier before the process group goes: a rank that tears gloo down while
    another still talks to it aborts that other rank ("terminate called without an active exception").
    No barrier after a failure, so a crashed rank cannot hang the others at teardown."""
    try:
        main_func(*args)
        synchronize()
    finally:
        dist.destroy_process_group()


def launch(
    main_func: Callable,
    num_gpus_per_machine: int = 1,
    num_machines: int = 1,
    machine_rank: int = 0,
    dist_url: str = "auto",
    args: tuple = (),
    timeout=DEFAULT_TIMEOUT,
) -> None:
    """Run ``main_func(*args)`` on every rank of the requested (or environment-given) world."""
    world = environment_world()
    if world is not None:
        _init_process(world["rank"], world["world_size"], world["local_rank"], world["init_method"], timeout)
        _run_then_teardown(main_func, args)
        return
    world_size = num_machines * num_gpus_per_machine
    if torch.cuda.is_available() and num_gpus_per_machine > torch.cuda.device_count():
        raise ValueError(f"--num-gpus {num_gpus_per_machine} but only {torch.cuda.device_count()} CUDA devices")
    if world_size <= 1:
        main_func(*args)
        return
    if dist_url == "auto":
        if num_machines != 1:
            raise ValueError("dist_url='auto' works on one machine only; pass --dist-url tcp://HOST:PORT")
        dist_url = f"tcp://127.0.0.1:{find_free_port()}"
    mp.start_processes(
        _worker,
        nprocs=num_gpus_per_machine,
        args=(main_func, world_size, num_gpus_per_machine, machine_rank, dist_url, args, timeout),
        start_method="spawn",
        join=True,
    )
