"""pointcept.utils.process.exit_with_parent: a worker dies with its parent, by pdeathsig or by polling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not os.path.isdir("/proc/self"),
                                reason="needs fork and /proc")

# The middle process forks a worker and prints its pid; the worker ties itself to the middle process
# (``late``: only after the middle process is already dead) and then would write "survived".
SCRIPT = textwrap.dedent('''
    import os, sys, time
    sys.path.insert(0, {root!r})
    from pointcept.utils.process import exit_with_parent
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        if {late!r}:
            while os.getppid() == parent:
                time.sleep(0.05)
        how = exit_with_parent(parent, poll_s=0.1, use_prctl={use_prctl!r})
        with open({marker!r} + ".how", "w") as handle:
            handle.write(how)
        time.sleep(3)
        with open({marker!r}, "w") as handle:
            handle.write("survived")
        os._exit(0)
    print(pid, flush=True)
    time.sleep(60)
''')


def state(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            data = handle.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()[0]


@pytest.mark.parametrize("use_prctl", [True, False], ids=["pdeathsig", "poll"])
@pytest.mark.parametrize("late", [False, True], ids=["parent-dies-later", "parent-already-dead"])
def test_worker_exits_when_its_parent_is_killed(tmp_path, use_prctl, late):
    marker = str(tmp_path / "survived")
    middle = subprocess.Popen([sys.executable, "-c", SCRIPT.format(root=ROOT, late=late, use_prctl=use_prctl,
                                                                    marker=marker)],
                              stdout=subprocess.PIPE, text=True)
    worker = int(middle.stdout.readline())
    try:
        if not late:
            deadline = time.monotonic() + 20
            while not os.path.exists(marker + ".how") and time.monotonic() < deadline:
                time.sleep(0.05)
        middle.kill()
        middle.wait()
        deadline = time.monotonic() + 10
        while state(worker) not in (None, "Z", "X") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert state(worker) in (None, "Z", "X"), "the worker outlived its parent"
        assert not os.path.exists(marker)
        if os.path.exists(marker + ".how"):
            expected = "pdeathsig" if use_prctl and sys.platform.startswith("linux") else "poll"
            assert open(marker + ".how").read() == expected
    finally:
        if state(worker) not in (None, "Z", "X"):
            os.kill(worker, signal.SIGKILL)


def test_a_live_parent_is_left_alone():
    code = ("import sys, time; sys.path.insert(0, %r); from pointcept.utils.process import exit_with_parent; "
            "print(exit_with_parent(poll_s=0.05)); time.sleep(0.3); print('still here')" % ROOT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    expected = "pdeathsig" if sys.platform.startswith("linux") else "poll"
    assert out.returncode == 0 and out.stdout.splitlines() == [expected, "still here"], out.stderr
