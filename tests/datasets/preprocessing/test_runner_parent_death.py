"""Killing a preprocessing run (SIGKILL) must take its pool workers with it.

They used to finish the scenes already queued to them and then idle forever. Workers are found without
psutil by scanning /proc for the runner's children before the kill.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc (Linux)")

JOB = textwrap.dedent('''
    import os, sys, time
    sys.path.insert(0, {root!r})
    from pointcept.datasets.preprocessing.runner import SceneResult, run_scenes

    def convert(item):
        out, key = item
        time.sleep(0.4)
        with open(os.path.join(out, key + ".txt"), "w") as handle:
            handle.write(str(os.getpid()))
        return SceneResult("done")

    if __name__ == "__main__":
        out = sys.argv[1]
        items = {{f"s{{i:03d}}": (out, f"s{{i:03d}}") for i in range(300)}}
        run_scenes(convert, items, workers=2, progress=False)
''')


def proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of ``pid`` from /proc, or None when it does not exist."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            data = handle.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[19])


def children(pid: int) -> list[tuple[int, int]]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = proc_stat(int(name))
            if stat is not None and stat[1] == pid and stat[0] not in "ZX":
                found.append((int(name), stat[2]))
    return found


def alive(process: tuple[int, int]) -> bool:
    stat = proc_stat(process[0])
    return stat is not None and stat[0] not in "ZX" and stat[2] == process[1]


def test_killed_runner_takes_its_pool_workers_along(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(JOB.format(root=ROOT))
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    runner = subprocess.Popen([sys.executable, str(script), str(out)], env=env)
    workers: list[tuple[int, int]] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and runner.poll() is None and len(os.listdir(out)) < 2:
            time.sleep(0.1)
        assert runner.poll() is None and len(os.listdir(out)) >= 2, "the pool did not start scenes in 30 s"
        workers = children(runner.pid)
        assert len(workers) == 2

        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(w) for w in workers):
            time.sleep(0.1)
        survivors = [w[0] for w in workers if alive(w)]
        assert not survivors, f"pool workers {survivors} still run after the runner was killed"

        written = sorted(os.listdir(out))
        time.sleep(2)
        assert sorted(os.listdir(out)) == written, "scenes were still written after the kill"
        assert len(written) < 300
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        for pid, start in workers:  # on failure, do not leave them behind
            if alive((pid, start)):
                os.kill(pid, signal.SIGKILL)
