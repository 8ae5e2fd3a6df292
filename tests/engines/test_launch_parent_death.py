"""Killing the launcher (SIGKILL: no clean-up possible) must take its DDP workers with it.

They used to keep training and writing into the experiment folder: torch's spawn asks the kernel for a
SIGINT on parent death, which a launcher started in the background by a script (``nohup``, ``&``) ignores
and hands down to its workers. The launcher is started that way here (SIGINT ignored). Workers are found
without psutil by scanning /proc for the launcher's descendants before the kill.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")


def proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of ``pid`` from /proc, or None when it does not exist."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            data = handle.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[19])


def descendants(pid: int) -> list[tuple[int, int]]:
    """(pid, start time) of every live descendant of ``pid``."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = proc_stat(int(name))
            if stat is not None and stat[0] not in "ZX":
                table[int(name)] = stat
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, (_, ppid, start) in table.items():
            if ppid == parent:
                found.append((child, start))
                frontier.append(child)
    return found


def alive(process: tuple[int, int]) -> bool:
    stat = proc_stat(process[0])
    return stat is not None and stat[0] not in "ZX" and stat[2] == process[1]


def snapshot(folder) -> dict[str, tuple[int, int]]:
    out = {}
    for base, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(base, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            out[path] = (info.st_size, info.st_mtime_ns)
    return out


def test_killed_launcher_takes_its_workers_along(tmp_path, tiny_root, make_config):
    cfg = make_config(tiny_root, tmp_path / "exp", epoch=200000, eval_epoch=1, batch_size=4)
    cfg.dump(tmp_path / "config.py")
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    for key in [k for k in env if k.startswith(("SLURM_", "RANK", "WORLD_SIZE", "LOCAL_RANK"))]:
        env.pop(key)
    log = tmp_path / "exp" / "train.log"
    with open(tmp_path / "launcher.out", "w") as out:
        # as a script's background job: SIGINT ignored (the pid stays the launcher's: bash execs it)
        launcher = subprocess.Popen(["bash", "-c", 'trap "" INT; exec "$@"', "launcher", sys.executable,
                                     "tools/train.py", "--config-file", str(tmp_path / "config.py"),
                                     "--num-gpus", "2"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                    env=env)
    workers: list[tuple[int, int]] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and launcher.poll() is None:
            if log.is_file() and "Train: [1/1][" in log.read_text():
                break
            time.sleep(0.5)
        assert launcher.poll() is None, (tmp_path / "launcher.out").read_text()[-3000:]
        assert "Train: [1/1][" in log.read_text(), "training did not start within 90 s"
        workers = descendants(launcher.pid)
        assert len(workers) >= 2  # 2 spawned ranks (+ multiprocessing's resource tracker)

        launcher.send_signal(signal.SIGKILL)
        launcher.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(w) for w in workers):
            time.sleep(0.2)
        survivors = [w[0] for w in workers if alive(w)]
        assert not survivors, f"workers {survivors} still run after their launcher was killed"

        before = snapshot(tmp_path / "exp")
        time.sleep(3)
        assert snapshot(tmp_path / "exp") == before, "the experiment folder changed after the kill"
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
        for pid, start in workers:  # on failure, do not leave them training
            if alive((pid, start)):
                os.kill(pid, signal.SIGKILL)
