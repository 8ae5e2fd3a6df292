"""Start one process per device, or join a world described by torchrun / SLURM.

* ``tools/train.py --num-gpus N`` spawns N local workers (NCCL on CUDA, gloo on the CPU, where N means
  N CPU processes); with ``--num-machines M --machine-rank R --dist-url tcp://host:port`` each machine
  spawns its share of a multi-node world.
* Under ``torchrun`` (``RANK``/``WORLD_SIZE``/``LOCAL_RANK`` set) the process is already one rank.
* Inside a SLURM job step (``SLURM_PROCID``/``SLURM_NTASKS`` set) one of two layouts is used, see
  :func:`slurm_world`: (a) one task per GPU (each task is one rank) or (b) one task per node that spawns
  ``--num-gpus`` local workers. An environment that fits neither fails at once, naming the variables.
* Every rank must reach the rendezvous within ``rendezvous_timeout`` (``--rendezvous-timeout``,
  ``POINTCEPT_RENDEZVOUS_TIMEOUT`` seconds, default 10 minutes), so a rank that never starts fails the
  run in bounded time instead of hanging it; collectives afterwards use the longer ``timeout``.
* Spawned workers exit when the launcher dies (:func:`pointcept.utils.process.exit_with_parent`).
"""

from __future__ import annotations

import datetime
import importlib
import os
import re
import shutil
import socket
import subprocess
from typing import Any, Callable, Mapping

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from pointcept.utils.comm import synchronize
from pointcept.utils.process import exit_with_parent

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)
DEFAULT_RENDEZVOUS_TIMEOUT = datetime.timedelta(minutes=10)
RENDEZVOUS_TIMEOUT_ENV = "POINTCEPT_RENDEZVOUS_TIMEOUT"

LAYOUT_A = "(a) one task per GPU"
LAYOUT_B = "(b) one task per node spawning --num-gpus workers"


class LaunchEnvironmentError(ValueError):
    """Launcher variables (torchrun's or SLURM's) that are malformed or contradict each other."""


class SlurmEnvironmentError(LaunchEnvironmentError):
    """A SLURM environment that fits neither launch layout (or contradicts itself)."""


def find_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def backend_for_device() -> str:
    return "nccl" if torch.cuda.is_available() else "gloo"


def rendezvous_timeout(value: float | datetime.timedelta | None = None,
                       env: Mapping[str, str] | None = None) -> datetime.timedelta:
    """How long ranks wait for each other at start-up: ``value`` (seconds), else
    ``$POINTCEPT_RENDEZVOUS_TIMEOUT``, else 10 minutes.

    Why bounded: a rank that never starts (wrong layout, failed node) must fail the run, not leave the
    others waiting until the 30-minute collective timeout or forever."""
    env = os.environ if env is None else env
    if isinstance(value, datetime.timedelta):
        seconds, name = value.total_seconds(), "rendezvous_timeout"
    elif value is not None:
        seconds, name = value, "--rendezvous-timeout"
    elif env.get(RENDEZVOUS_TIMEOUT_ENV, "").strip():
        name = RENDEZVOUS_TIMEOUT_ENV
        try:
            seconds = float(env[RENDEZVOUS_TIMEOUT_ENV])
        except ValueError:
            raise ValueError(f"{RENDEZVOUS_TIMEOUT_ENV}={env[RENDEZVOUS_TIMEOUT_ENV]!r}: expected a "
                             "number of seconds > 0") from None
    else:
        return DEFAULT_RENDEZVOUS_TIMEOUT
    if not seconds > 0:
        raise ValueError(f"{name}={seconds!r}: expected a number of seconds > 0")
    return datetime.timedelta(seconds=float(seconds))


def _int_var(env: Mapping[str, str], name: str, layout: str | None = None) -> int:
    try:
        return int(env[name])
    except ValueError:
        where = f"SLURM layout {layout}: " if layout else "SLURM (no layout chosen yet): "
        raise SlurmEnvironmentError(f"{where}{name}={env[name]!r}, expected an integer") from None


def _unchosen(message: str) -> SlurmEnvironmentError:
    return SlurmEnvironmentError(f"SLURM (no layout chosen yet): {message}")


def _first_var(env: Mapping[str, str], *names: str) -> str | None:
    return next((name for name in names if env.get(name, "").strip()), None)


def _expand_tasks_per_node(value: str) -> list[int] | None:
    """``SLURM_TASKS_PER_NODE`` syntax, e.g. ``2(x3),1`` -> [2, 2, 2, 1]; None if unparsable."""
    counts: list[int] = []
    for part in value.split(","):
        match = re.fullmatch(r"\s*(\d+)(?:\(x(\d+)\))?\s*", part)
        if not match:
            return None
        counts += [int(match.group(1))] * int(match.group(2) or 1)
    return counts


def _first_host(nodelist: str) -> str:
    """First host of a SLURM node list (``gpu[03-04,07],cpu1`` -> ``gpu03``): scontrol when installed, else
    parsed here. Why: MASTER_ADDR is often left unset, and rank 0 runs on the first node of the step."""
    if shutil.which("scontrol"):
        try:
            out = subprocess.run(["scontrol", "show", "hostnames", nodelist], capture_output=True, text=True,
                                 check=True, timeout=30)
            return out.stdout.split()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            pass
    first = re.split(r",(?![^\[]*\])", nodelist.strip())[0]
    host = re.sub(r"\[([^\]]*)\]", lambda m: re.split(r"[-,]", m.group(1))[0], first)
    if not host or any(c in host for c in "[]"):
        raise SlurmEnvironmentError(f"cannot read the first host of SLURM node list {nodelist!r}; "
                                    "set MASTER_ADDR")
    return host


def slurm_world(num_gpus_per_machine: int = 1, num_machines: int = 1, machine_rank: int = 0,
                dist_url: str = "auto", env: Mapping[str, str] | None = None,
                cuda_devices: int | None = None) -> dict[str, Any] | None:
    """Which of the two SLURM layouts this job step uses, checked against ``--num-gpus`` etc.; None outside
    SLURM (or for a single task running a single process).

    (a) one task per GPU (``srun --ntasks-per-node=G``): this task is rank ``SLURM_PROCID`` of
        ``SLURM_NTASKS``, on device ``SLURM_LOCALID``; ``--num-gpus`` must be 1 or the tasks per node.
    (b) one task per node (``--ntasks-per-node=1``, ``SLURM_NTASKS`` = nodes) spawning ``--num-gpus``
        workers: machine rank ``SLURM_NODEID``, world ``nodes * num_gpus``.
    Why checked here: a mismatch used to leave every rank waiting for ranks that never start. Raises
    :class:`SlurmEnvironmentError` naming the layout and the disagreeing variables. ``cuda_devices`` is the
    visible device count (default: ``torch.cuda.device_count()`` when CUDA is available, else none checked).
    """
    env = os.environ if env is None else env
    if "SLURM_NTASKS" not in env and "SLURM_PROCID" not in env:
        return None
    if "SLURM_NTASKS" not in env or "SLURM_PROCID" not in env:
        # e.g. an salloc or sbatch shell outside srun: a plain local launch, but say so (srun sets both)
        present = "SLURM_NTASKS" if "SLURM_NTASKS" in env else "SLURM_PROCID"
        absent = "SLURM_PROCID" if present == "SLURM_NTASKS" else "SLURM_NTASKS"
        _log(f"{present}={env[present]} is set but {absent} is not: not inside an srun step, so this is a "
             f"local launch of --num-gpus {num_gpus_per_machine} worker(s); start every task with srun to use "
             "a SLURM layout", warning=True)
        return None
    tasks = _int_var(env, "SLURM_NTASKS")
    gpus = int(num_gpus_per_machine)
    if tasks <= 1 and gpus <= 1:
        return None  # a single process: nothing to rendezvous with
    if tasks < 1:
        raise _unchosen(f"SLURM_NTASKS={tasks}, expected >= 1")
    procid = _int_var(env, "SLURM_PROCID")
    if not 0 <= procid < tasks:
        raise _unchosen(f"SLURM_PROCID={procid}, expected 0 <= SLURM_PROCID < SLURM_NTASKS={tasks}")
    if gpus < 1:
        raise _unchosen(f"--num-gpus {gpus}, expected >= 1")

    nodes_var = _first_var(env, "SLURM_STEP_NUM_NODES", "SLURM_NNODES", "SLURM_JOB_NUM_NODES")
    per_node_var = _first_var(env, "SLURM_NTASKS_PER_NODE")
    per_node_list_var = _first_var(env, "SLURM_STEP_TASKS_PER_NODE", "SLURM_TASKS_PER_NODE")
    per_node: list[int] | None = None
    if nodes_var is not None:
        nodes = _int_var(env, nodes_var)
    elif per_node_var is not None and tasks % max(_int_var(env, per_node_var), 1) == 0:
        nodes = tasks // max(_int_var(env, per_node_var), 1)
        nodes_var = f"SLURM_NTASKS/{per_node_var}"
    elif tasks == 1:
        nodes, nodes_var = 1, "SLURM_NTASKS"
    else:
        raise _unchosen(f"SLURM_NTASKS={tasks} but none of SLURM_JOB_NUM_NODES, SLURM_NNODES, "
                        "SLURM_NTASKS_PER_NODE is set: cannot tell one task per GPU (a) from one task per "
                        "node (b)")
    if nodes < 1 or tasks < nodes:
        raise _unchosen(f"SLURM_NTASKS={tasks} and {nodes_var}={nodes}: expected "
                                    "1 <= nodes <= tasks")
    if per_node_var is not None:
        value = _int_var(env, per_node_var)
        if value * nodes != tasks:
            assumed = LAYOUT_B if value == 1 and gpus > 1 else LAYOUT_A
            raise SlurmEnvironmentError(
                f"SLURM layout {assumed} (from {per_node_var}={value}): {per_node_var}={value} disagrees "
                f"with SLURM_NTASKS={tasks} and {nodes_var}={nodes}: expected {per_node_var} * nodes == "
                f"SLURM_NTASKS ({value} * {nodes} != {tasks})")
        per_node = [value] * nodes
    elif per_node_list_var is not None:
        per_node = _expand_tasks_per_node(env[per_node_list_var])
        if per_node is None or len(per_node) != nodes or sum(per_node) != tasks:
            raise _unchosen(
                f"{per_node_list_var}={env[per_node_list_var]!r} disagrees with SLURM_NTASKS={tasks} and "
                f"{nodes_var}={nodes}: expected {nodes} per-node counts summing to {tasks}")
    elif tasks % nodes == 0:
        per_node = [tasks // nodes] * nodes
    else:
        raise _unchosen(f"SLURM_NTASKS={tasks} does not split evenly over {nodes_var}={nodes} "
                                    "and SLURM_TASKS_PER_NODE is not set")
    if "SLURM_NODEID" in env:
        node = _int_var(env, "SLURM_NODEID")
    elif nodes == 1:
        node = 0
    else:
        raise _unchosen(f"SLURM_NODEID is not set on a {nodes}-node step ({nodes_var}={nodes})")
    if not 0 <= node < nodes:
        raise _unchosen(f"SLURM_NODEID={node}, expected 0 <= SLURM_NODEID < {nodes_var}={nodes}")
    here = per_node[node]

    if all(count == 1 for count in per_node) and gpus > 1:
        layout = LAYOUT_B
    elif gpus in (1, here):
        layout = LAYOUT_A
    else:
        raise SlurmEnvironmentError(
            f"SLURM environment fits neither layout: SLURM_NTASKS={tasks} on {nodes_var}={nodes} "
            f"({here} tasks on node {node}), --num-gpus {gpus}. Layout {LAYOUT_A} needs --num-gpus 1 or "
            f"--num-gpus equal to the tasks per node ({here}); layout {LAYOUT_B} needs one task per node "
            f"(SLURM_NTASKS == {nodes_var}, got {tasks} != {nodes}). Start `srun --ntasks-per-node={gpus}` "
            f"for (a), or `srun --ntasks-per-node=1` for (b).")

    def fail(message: str) -> SlurmEnvironmentError:
        return SlurmEnvironmentError(f"SLURM layout {layout}: {message}")

    if num_machines not in (1, nodes):
        raise fail(f"--num-machines {num_machines} disagrees with {nodes_var}={nodes}")
    if machine_rank not in (0, node):
        raise fail(f"--machine-rank {machine_rank} disagrees with SLURM_NODEID={node}")
    localid = _int_var(env, "SLURM_LOCALID", layout) if "SLURM_LOCALID" in env else None
    if cuda_devices is None and torch.cuda.is_available():
        cuda_devices = torch.cuda.device_count()
    if layout == LAYOUT_A:
        if localid is None:
            if here != 1:
                raise fail(f"SLURM_LOCALID is not set with {here} tasks on node {node}")
            localid = 0
        if not 0 <= localid < here:
            raise fail(f"SLURM_LOCALID={localid}, expected 0 <= SLURM_LOCALID < {here} tasks on node {node}")
        device = localid
        if cuda_devices is not None:
            visible = os.environ.get("CUDA_VISIBLE_DEVICES", "<unset>")
            if cuda_devices == 1:
                device = 0  # srun --gpus-per-task=1 / --gpu-bind: each task sees just its own GPU
            elif localid >= cuda_devices:
                raise fail(f"SLURM_LOCALID={localid} but only {cuda_devices} CUDA devices are visible "
                           f"(CUDA_VISIBLE_DEVICES={visible}): expected SLURM_LOCALID < visible devices")
        rank, world_size, nprocs = procid, tasks, 1
    else:
        if procid != node:
            raise fail(f"SLURM_PROCID={procid} but SLURM_NODEID={node}: one task per node expects them equal")
        if localid not in (None, 0):
            raise fail(f"SLURM_LOCALID={localid}: one task per node expects 0")
        if cuda_devices is not None and gpus > cuda_devices:
            raise fail(f"--num-gpus {gpus} but only {cuda_devices} CUDA devices are visible on node {node}")
        localid = device = 0
        rank, world_size, nprocs = node * gpus, nodes * gpus, gpus

    if dist_url != "auto":
        init_method = dist_url
    else:
        addr = env.get("MASTER_ADDR", "").strip()
        if not addr:
            nodelist_var = _first_var(env, "SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST", "SLURM_NODELIST")
            if nodes == 1:
                addr = "127.0.0.1"
            elif nodelist_var is None:
                raise fail(f"MASTER_ADDR is not set and cannot be derived on {nodes} nodes: "
                           "SLURM_JOB_NODELIST (or SLURM_NODELIST) is missing; "
                           "export MASTER_ADDR=<first node's host name>")
            else:
                try:
                    addr = _first_host(env[nodelist_var])
                except SlurmEnvironmentError as error:
                    raise fail(f"MASTER_ADDR is not set and cannot be derived: {error}") from None
        port = env.get("MASTER_PORT", "").strip()
        if not port:
            if tasks == 1:
                port = str(find_free_port())  # one task: the spawned workers are all on this machine
            else:
                job = env.get("SLURM_JOB_ID", "0")
                port = str(29500 + (int(job) if job.isdigit() else 0) % 1000)
        elif not port.isdigit() or not 0 < int(port) < 65536:
            raise fail(f"MASTER_PORT={port!r}, expected a TCP port number")
        init_method = f"tcp://{addr}:{port}"
    description = (f"SLURM layout {layout}: SLURM_NTASKS={tasks} on {nodes} node(s), node {node}, "
                   + (f"rank {rank}/{world_size}, local rank {localid}" if nprocs == 1 else
                      f"machine rank {node}/{nodes} spawning {nprocs} workers "
                      f"(ranks {rank}..{rank + nprocs - 1} of {world_size})")
                   + f", rendezvous {init_method}")
    return {"rank": rank, "world_size": world_size, "local_rank": localid, "device": device,
            "init_method": init_method, "layout": layout, "nprocs": nprocs, "machine_rank": node,
            "num_machines": nodes, "local_world_size": here if nprocs == 1 else nprocs,
            "description": description}


def environment_world(num_gpus_per_machine: int = 1, num_machines: int = 1, machine_rank: int = 0,
                      dist_url: str = "auto", env: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """Rank, world size, local rank and rendezvous from torchrun or SLURM variables, or None.

    torchrun's ``RANK``/``WORLD_SIZE`` win; otherwise :func:`slurm_world` (which raises on a SLURM
    environment that fits neither layout). ``nprocs`` > 1 means this process spawns that many workers.
    """
    env = os.environ if env is None else env
    world_size = _torchrun_int(env, "WORLD_SIZE", 1)
    if world_size > 1 and "RANK" not in env:
        _log(f"WORLD_SIZE={world_size} is set but RANK is not: not started by torchrun, so WORLD_SIZE is "
             f"ignored and this is a local launch of --num-gpus {num_gpus_per_machine} worker(s)", warning=True)
    elif world_size > 1:
        rank = _torchrun_int(env, "RANK", 0)
        local_rank = _torchrun_int(env, "LOCAL_RANK", 0)
        if not 0 <= rank < world_size:
            raise LaunchEnvironmentError(f"torchrun: RANK={rank}, expected 0 <= RANK < WORLD_SIZE={world_size}")
        return {"rank": rank, "world_size": world_size, "local_rank": local_rank, "device": local_rank,
                "init_method": "env://", "layout": "torchrun", "nprocs": 1,
                "description": f"torchrun: rank {rank}/{world_size}, local rank {local_rank}"}
    return slurm_world(num_gpus_per_machine, num_machines, machine_rank, dist_url, env)


def _torchrun_int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise LaunchEnvironmentError(f"torchrun: {name}={env[name]!r}, expected an integer") from None


def _log(message: str, warning: bool = False) -> None:
    from pointcept.utils.logger import get_logger

    (get_logger().warning if warning else get_logger().info)(message)


def _init_process(rank: int, world_size: int, local_rank: int, init_method: str, timeout,
                  rendezvous_after: datetime.timedelta | None = None, description: str = "",
                  device: int | None = None) -> None:
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world_size), LOCAL_RANK=str(local_rank))
    if torch.cuda.is_available():
        device = local_rank if device is None else device
        if device >= torch.cuda.device_count():
            raise RuntimeError(f"local rank {local_rank} but only {torch.cuda.device_count()} CUDA devices")
        torch.cuda.set_device(device)
    else:
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", world_size))
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(local_world, 1)))
    wait = rendezvous_after or rendezvous_timeout()
    # rendezvous with the short timeout (every rank must turn up), collectives with the long one
    rendezvous = importlib.import_module("torch.distributed.rendezvous").rendezvous
    try:
        store, rank, world_size = next(rendezvous(init_method, rank, world_size, timeout=wait))
        store.set_timeout(wait)
        dist.init_process_group(backend_for_device(), store=dist.PrefixStore("default_pg", store),
                                world_size=world_size, rank=rank, timeout=timeout)
    except (RuntimeError, ValueError, OSError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise RuntimeError(
            f"rank {rank} of {world_size}: rendezvous at {init_method} failed within "
            f"{wait.total_seconds():g} s ({description or 'local spawn'}): {first.rstrip('.')}. Every rank "
            f"must start within --rendezvous-timeout / {RENDEZVOUS_TIMEOUT_ENV}; under SLURM run "
            "tools/train.py through srun (one task per GPU, or one per node)"
        ) from error
    synchronize()  # every rank is in: from here on the store may wait as long as a collective
    store.set_timeout(timeout)


def _worker(local_rank: int, main_func: Callable, world_size: int, gpus_per_machine: int, machine_rank: int,
            dist_url: str, args: tuple, timeout, rendezvous_after: datetime.timedelta | None = None,
            parent_pid: int | None = None, description: str = "") -> None:
    # a killed launcher must not leave workers training on. torch's spawn already asks for SIGINT on parent
    # death, but a launcher started in the background by a script (nohup, &) ignores SIGINT, and so do its
    # workers; SIGTERM replaces it (one pdeathsig per process)
    exit_with_parent(parent_pid)
    os.environ["LOCAL_WORLD_SIZE"] = str(gpus_per_machine)
    _init_process(machine_rank * gpus_per_machine + local_rank, world_size, local_rank, dist_url, timeout,
                  rendezvous_after, description)
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


def _spawn(main_func: Callable, nprocs: int, world_size: int, machine_rank: int, dist_url: str, args: tuple,
           timeout, wait: datetime.timedelta, description: str) -> None:
    mp.start_processes(
        _worker,
        nprocs=nprocs,
        args=(main_func, world_size, nprocs, machine_rank, dist_url, args, timeout, wait, os.getpid(),
              description),
        start_method="spawn",
        join=True,
    )


def launch(
    main_func: Callable,
    num_gpus_per_machine: int = 1,
    num_machines: int = 1,
    machine_rank: int = 0,
    dist_url: str = "auto",
    args: tuple = (),
    timeout=DEFAULT_TIMEOUT,
    rendezvous_timeout_s: float | datetime.timedelta | None = None,
) -> None:
    """Run ``main_func(*args)`` on every rank of the requested (or environment-given) world.

    ``rendezvous_timeout_s`` bounds the wait for all ranks at start-up (see :func:`rendezvous_timeout`).
    """
    wait = rendezvous_timeout(rendezvous_timeout_s)
    world = environment_world(num_gpus_per_machine, num_machines, machine_rank, dist_url)
    if world is not None:
        _log(f"launch: {world['description']} (rendezvous timeout {wait.total_seconds():g} s)")
        if world["nprocs"] > 1:
            _spawn(main_func, world["nprocs"], world["world_size"], world["machine_rank"],
                   world["init_method"], args, timeout, wait, world["description"])
            return
        if "local_world_size" in world:  # CPU threads are shared by the ranks of this node
            os.environ["LOCAL_WORLD_SIZE"] = str(world["local_world_size"])
        _init_process(world["rank"], world["world_size"], world["local_rank"], world["init_method"], timeout,
                      wait, world["description"], world.get("device"))
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
    description = (f"local spawn: machine rank {machine_rank}/{num_machines}, {num_gpus_per_machine} "
                   f"workers, rendezvous {dist_url}")
    _spawn(main_func, num_gpus_per_machine, world_size, machine_rank, dist_url, args, timeout, wait,
           description)
