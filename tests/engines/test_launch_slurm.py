"""SLURM launch layouts: (a) one task per GPU, (b) one task per node spawning --num-gpus workers.

Simulated with environment variables (no SLURM here): a consistent environment trains end to end with 2
gloo ranks and logs its layout; an inconsistent one fails within seconds naming the layout and variables
(it used to wait forever for ranks that never start); a missing rank fails after the rendezvous timeout.
"""

from __future__ import annotations

import datetime
import logging
import os
import subprocess
import sys
import time

import pytest

from pointcept.engines.launch import (
    LAYOUT_A, LAYOUT_B, LaunchEnvironmentError, SlurmEnvironmentError, environment_world, find_free_port, rendezvous_timeout, slurm_world,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLURM_PREFIXES = ("SLURM_", "MASTER_", "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                  "POINTCEPT_RENDEZVOUS_TIMEOUT")


def clean_env(**slurm) -> dict[str, str]:
    """This environment without any SLURM/torchrun variables, plus ``slurm``; one thread per process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(SLURM_PREFIXES)}
    env.update(OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in slurm.items()})
    return env


def one_node(ntasks: int, procid: int = 0, localid: int | None = None, **extra) -> dict[str, str]:
    env = dict(SLURM_JOB_ID="4242", SLURM_NTASKS=ntasks, SLURM_PROCID=procid,
               SLURM_LOCALID=procid if localid is None else localid, SLURM_NODEID=0, SLURM_JOB_NUM_NODES=1,
               SLURM_NTASKS_PER_NODE=ntasks, SLURM_JOB_NODELIST="node01")
    env.update(extra)
    return {k: str(v) for k, v in env.items()}


def train_cmd(config, *extra) -> list[str]:
    return [sys.executable, "tools/train.py", "--config-file", str(config), *extra]


@pytest.fixture
def tiny_config(tmp_path, tiny_root, make_config):
    cfg = make_config(tiny_root, tmp_path / "exp", epoch=2, eval_epoch=1, batch_size=4)
    cfg.dump(tmp_path / "config.py")
    return tmp_path / "config.py"


# ---- the resolver, in-process: every layout rule and every inconsistency ---------------------------------

def test_layout_a_one_task_per_gpu():
    env = one_node(2, procid=1, MASTER_ADDR="10.0.0.1", MASTER_PORT="1234")
    for gpus in (1, 2):  # srun --gpus-per-task=1 (-g 1) or every task sees both GPUs (-g 2)
        world = slurm_world(gpus, env=env)
        assert world["layout"] == LAYOUT_A
        assert (world["rank"], world["world_size"], world["local_rank"]) == (1, 2, 1)
        assert world["nprocs"] == 1 and world["init_method"] == "tcp://10.0.0.1:1234"
        assert "layout (a)" in world["description"] and "rank 1/2" in world["description"]
    # 2 nodes x 2 tasks, no MASTER_ADDR: derived from the node list, port from the job id
    env = dict(SLURM_JOB_ID="7", SLURM_NTASKS="4", SLURM_PROCID="3", SLURM_LOCALID="1", SLURM_NODEID="1",
               SLURM_JOB_NUM_NODES="2", SLURM_TASKS_PER_NODE="2(x2)", SLURM_JOB_NODELIST="gpu[07-08,11],cpu1")
    world = slurm_world(2, num_machines=2, machine_rank=1, env=env, cuda_devices=2)
    assert (world["rank"], world["world_size"], world["device"]) == (3, 4, 1)
    assert world["init_method"] == "tcp://gpu07:29507"
    # one GPU visible per task (srun --gpus-per-task=1): every task uses its device 0
    assert slurm_world(1, env=env, cuda_devices=1)["device"] == 0


def test_layout_b_one_task_per_node():
    env = dict(SLURM_JOB_ID="1", SLURM_NTASKS="2", SLURM_PROCID="1", SLURM_LOCALID="0", SLURM_NODEID="1",
               SLURM_JOB_NUM_NODES="2", SLURM_NTASKS_PER_NODE="1", SLURM_JOB_NODELIST="a1,b2")
    world = slurm_world(4, env=env, cuda_devices=4)
    assert world["layout"] == LAYOUT_B and world["nprocs"] == 4
    assert (world["rank"], world["world_size"], world["machine_rank"]) == (4, 8, 1)
    assert world["init_method"] == "tcp://a1:29501" and "layout (b)" in world["description"]
    # a single task spawning 2 workers: local rendezvous on a free port unless MASTER_PORT says otherwise
    world = slurm_world(2, env=one_node(1))
    assert world["layout"] == LAYOUT_B and world["world_size"] == 2
    assert world["init_method"].startswith("tcp://127.0.0.1:")


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def launcher_warnings():
    from pointcept.utils.logger import get_logger

    handler = _Warnings()
    get_logger().addHandler(handler)
    yield handler.lines
    get_logger().removeHandler(handler)


@pytest.mark.parametrize("env, named", [
    ({"SLURM_NTASKS": "2"}, "SLURM_NTASKS=2 is set but SLURM_PROCID is not"),  # an salloc / sbatch shell
    ({"SLURM_PROCID": "0"}, "SLURM_PROCID=0 is set but SLURM_NTASKS is not"),
])
@pytest.mark.parametrize("gpus", [1, 2])
def test_half_a_slurm_environment_is_a_local_launch_that_says_so(env, named, gpus, launcher_warnings):
    assert slurm_world(gpus, env=env) is None
    assert len(launcher_warnings) == 1 and named in launcher_warnings[0]
    assert f"local launch of --num-gpus {gpus}" in launcher_warnings[0]


def test_torchrun_variables_are_checked_and_a_lone_world_size_is_named(launcher_warnings):
    with pytest.raises(LaunchEnvironmentError, match=r"torchrun: WORLD_SIZE='two', expected an integer"):
        environment_world(env={"WORLD_SIZE": "two", "RANK": "0"})
    with pytest.raises(LaunchEnvironmentError, match=r"torchrun: LOCAL_RANK='x', expected an integer"):
        environment_world(env={"WORLD_SIZE": "2", "RANK": "0", "LOCAL_RANK": "x"})
    with pytest.raises(LaunchEnvironmentError, match=r"RANK=2, expected 0 <= RANK < WORLD_SIZE=2"):
        environment_world(env={"WORLD_SIZE": "2", "RANK": "2"})
    assert environment_world(2, env={"WORLD_SIZE": "2"}) is None
    assert launcher_warnings and "WORLD_SIZE=2 is set but RANK is not" in launcher_warnings[-1]
    world = environment_world(env={"WORLD_SIZE": "2", "RANK": "1", "LOCAL_RANK": "1"})
    assert (world["rank"], world["world_size"], world["local_rank"]) == (1, 2, 1)


def test_outside_slurm_or_single_process():
    assert slurm_world(2, env={}) is None
    assert slurm_world(1, env=one_node(1)) is None


BAD = {
    # name: (num_gpus, kwargs, env, expected fragments of the message)
    "neither layout": (2, {}, one_node(4),
                       ["neither layout", "SLURM_NTASKS=4", "--num-gpus 2", "(a)", "(b)"]),
    "tasks per node disagree": (2, {}, dict(one_node(4), SLURM_JOB_NUM_NODES="2", SLURM_NTASKS_PER_NODE="1"),
                                ["layout (b)", "SLURM_NTASKS_PER_NODE=1", "SLURM_NTASKS=4",
                                 "SLURM_JOB_NUM_NODES=2"]),
    "tasks per node list disagrees": (1, {}, dict(one_node(4), SLURM_NTASKS_PER_NODE="",
                                                  SLURM_TASKS_PER_NODE="2(x3)", SLURM_JOB_NUM_NODES="2"),
                                      ["SLURM_TASKS_PER_NODE='2(x3)'", "SLURM_NTASKS=4"]),
    "local id beyond devices": (4, {"cuda_devices": 2}, one_node(4, procid=3),
                                ["layout (a)", "SLURM_LOCALID=3", "2 CUDA devices"]),
    "local id beyond tasks": (1, {}, one_node(2, procid=1, localid=5), ["layout (a)", "SLURM_LOCALID=5"]),
    "procid beyond tasks": (1, {}, one_node(2, procid=2), ["SLURM_PROCID=2", "SLURM_NTASKS=2"]),
    "no MASTER_ADDR, no node list": (2, {}, dict(SLURM_NTASKS="2", SLURM_PROCID="0", SLURM_NODEID="0",
                                                 SLURM_JOB_NUM_NODES="2", SLURM_NTASKS_PER_NODE="1"),
                                     ["layout (b)", "MASTER_ADDR", "SLURM_JOB_NODELIST"]),
    "procid is not the node": (2, {}, dict(SLURM_NTASKS="2", SLURM_PROCID="1", SLURM_NODEID="0",
                                           SLURM_JOB_NUM_NODES="2", SLURM_NTASKS_PER_NODE="1"),
                               ["layout (b)", "SLURM_PROCID=1", "SLURM_NODEID=0"]),
    "num machines": (1, {"num_machines": 3}, one_node(2), ["layout (a)", "--num-machines 3",
                                                             "SLURM_JOB_NUM_NODES=1"]),
    "machine rank": (2, {"machine_rank": 1}, dict(one_node(1)), ["layout (b)", "--machine-rank 1",
                                                                  "SLURM_NODEID=0"]),
    "node id beyond nodes": (1, {}, dict(one_node(2), SLURM_NODEID="1"), ["SLURM_NODEID=1",
                                                                          "SLURM_JOB_NUM_NODES=1"]),
    "not a number": (1, {}, dict(one_node(2), SLURM_PROCID="zero"), ["SLURM_PROCID='zero'", "integer"]),
    "no node count": (1, {}, {"SLURM_NTASKS": "2", "SLURM_PROCID": "0"}, ["SLURM_JOB_NUM_NODES"]),
    "bad MASTER_PORT": (1, {}, dict(one_node(2), MASTER_PORT="http"), ["layout (a)", "MASTER_PORT='http'"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_inconsistent_environment_is_named(case):
    gpus, kwargs, env, fragments = BAD[case]
    with pytest.raises(SlurmEnvironmentError) as info:
        slurm_world(gpus, env=env, **kwargs)
    message = str(info.value)
    assert all(fragment in message for fragment in fragments), message


def test_rendezvous_timeout_setting():
    assert rendezvous_timeout(env={}) == datetime.timedelta(minutes=10)
    assert rendezvous_timeout(env={"POINTCEPT_RENDEZVOUS_TIMEOUT": "2.5"}).total_seconds() == 2.5
    assert rendezvous_timeout(7, env={"POINTCEPT_RENDEZVOUS_TIMEOUT": "2.5"}).total_seconds() == 7
    with pytest.raises(ValueError, match="POINTCEPT_RENDEZVOUS_TIMEOUT='soon': expected a number"):
        rendezvous_timeout(env={"POINTCEPT_RENDEZVOUS_TIMEOUT": "soon"})
    with pytest.raises(ValueError, match="--rendezvous-timeout=0: expected a number of seconds > 0"):
        rendezvous_timeout(0, env={})


# ---- end to end: tools/train.py in simulated SLURM job steps ----------------------------------------------

def test_layout_a_two_tasks_train_end_to_end(tmp_path, tiny_config):
    """srun --ntasks-per-node=2: two tasks, each one gloo rank, meeting at MASTER_ADDR:MASTER_PORT."""
    port = find_free_port()
    procs = [subprocess.Popen(train_cmd(tiny_config, "--num-gpus", "2"), cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=clean_env(**one_node(2, procid=rank), MASTER_ADDR="127.0.0.1",
                                            MASTER_PORT=port))
             for rank in (0, 1)]
    try:
        outs = [proc.communicate(timeout=120)[0] for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
    for rank, (proc, out) in enumerate(zip(procs, outs)):
        assert proc.returncode == 0, out[-3000:]
        assert f"SLURM layout {LAYOUT_A}" in out and f"rank {rank}/2, local rank {rank}" in out, out[-3000:]
        assert f"rendezvous tcp://127.0.0.1:{port}" in out
    log = (tmp_path / "exp" / "train.log").read_text()
    assert "world size 2" in log and "Val result: mIoU" in log


def test_layout_b_one_task_spawns_num_gpus_workers(tmp_path, tiny_config):
    """srun --ntasks-per-node=1 with --num-gpus 2: the task spawns 2 workers, machine rank SLURM_NODEID."""
    port = find_free_port()
    out = subprocess.run(train_cmd(tiny_config, "--num-gpus", "2"), cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env=clean_env(**one_node(1), MASTER_ADDR="127.0.0.1", MASTER_PORT=port))
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-3000:]
    assert f"SLURM layout {LAYOUT_B}" in text and "spawning 2 workers (ranks 0..1 of 2)" in text, text[-3000:]
    assert f"rendezvous tcp://127.0.0.1:{port}" in text
    log = (tmp_path / "exp" / "train.log").read_text()
    assert "world size 2" in log and "Val result: mIoU" in log


SUBPROCESS_BAD = {
    # the case: 4 tasks on a node but --num-gpus 2 (it waited forever for ranks 1..3)
    "neither layout": (one_node(4, MASTER_ADDR="127.0.0.1"), ["neither layout", "SLURM_NTASKS=4"]),
    "tasks per node disagree": (dict(one_node(4, MASTER_ADDR="127.0.0.1"), SLURM_JOB_NUM_NODES="2",
                                     SLURM_NTASKS_PER_NODE="1"), ["layout (b)", "SLURM_NTASKS_PER_NODE=1"]),
    "no MASTER_ADDR": (dict(SLURM_NTASKS="2", SLURM_PROCID="0", SLURM_NODEID="0", SLURM_JOB_NUM_NODES="2",
                            SLURM_NTASKS_PER_NODE="1"), ["layout (b)", "MASTER_ADDR is not set"]),
}


@pytest.mark.parametrize("case", list(SUBPROCESS_BAD))
def test_inconsistent_environment_fails_within_seconds(tmp_path, tiny_config, case):
    env, fragments = SUBPROCESS_BAD[case]
    start = time.monotonic()
    out = subprocess.run(train_cmd(tiny_config, "--num-gpus", "2"), cwd=ROOT, capture_output=True, text=True,
                         timeout=60, env=clean_env(**env))
    assert out.returncode != 0
    assert all(fragment in out.stderr for fragment in fragments), out.stderr[-3000:]
    assert time.monotonic() - start < 60
    assert not (tmp_path / "exp" / "train.log").exists()  # nothing started


def test_missing_rank_fails_after_the_rendezvous_timeout(tmp_path, tiny_config):
    """Rank 0 of a 2-task step whose rank 1 never starts: fails after --rendezvous-timeout, not never."""
    start = time.monotonic()
    out = subprocess.run(train_cmd(tiny_config, "--num-gpus", "2", "--rendezvous-timeout", "3"), cwd=ROOT,
                         capture_output=True, text=True, timeout=90,
                         env=clean_env(**one_node(2), MASTER_ADDR="127.0.0.1", MASTER_PORT=find_free_port()))
    text = out.stdout + out.stderr
    assert out.returncode != 0
    assert "rendezvous at tcp://127.0.0.1" in text and "failed within 3 s" in text, text[-3000:]
    assert f"SLURM layout {LAYOUT_A}" in text and "1/2 clients joined" in text
    assert time.monotonic() - start < 90


# ---- scripts/train.sh: -m MACHINES and the default -g -----------------------------------------------------

@pytest.fixture
def fake_tools(tmp_path):
    """A fake python that prints its arguments, and a fake nvidia-smi listing two GPUs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text('#!/bin/sh\necho "ARGS: $*"\n')
    (bin_dir / "nvidia-smi").write_text('#!/bin/sh\necho "GPU 0: H100 (UUID: a)"\n'
                                        'echo "GPU 1: H100 (UUID: b)"\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def run_wrapper(fake_tools, *args, **env):
    base = clean_env(PATH=f"{fake_tools}:{os.environ['PATH']}")
    base.pop("CUDA_VISIBLE_DEVICES", None)
    base.update(env)
    return subprocess.run(["bash", "scripts/train.sh", "-p", str(fake_tools / "python"), "-d", "demo", "-c",
                           "semseg-spunet-v1m1-0-base", "-n", "x", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=30, env=base)


def test_train_sh_machines_and_default_gpus(fake_tools):
    out = run_wrapper(fake_tools)  # nvidia-smi lists 2 GPUs
    assert out.returncode == 0, out.stderr
    assert "--num-gpus 2 --options" in out.stdout
    out = run_wrapper(fake_tools, CUDA_VISIBLE_DEVICES="3")  # one visible GPU wins over nvidia-smi
    assert "--num-gpus 1 --options" in out.stdout
    out = run_wrapper(fake_tools, CUDA_VISIBLE_DEVICES="")  # CPU-only
    assert "--num-gpus 1 --options" in out.stdout
    out = run_wrapper(fake_tools, "-m", "2", CUDA_VISIBLE_DEVICES="0,1,2,3", SLURM_NODEID="1")
    assert out.returncode == 0, out.stderr
    assert "--num-gpus 4 --num-machines 2 --machine-rank 1 --options" in out.stdout
    out = run_wrapper(fake_tools, "-g", "2", "-m", "two")
    assert out.returncode == 2 and "-m two: expected a number of machines >= 1" in out.stderr
