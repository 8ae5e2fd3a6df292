"""Worker processes that do not outlive the process that started them.

Why: a launcher killed with SIGKILL (``kill -9``, the OOM killer, a cluster pre-emption) cannot clean up,
and its DDP workers or preprocessing-pool workers used to keep running: training on and writing into the
experiment folder, or idling forever (torch's spawn asks for SIGINT on parent death, but a launcher
started in the background by a script ignores SIGINT, and its workers inherit that). :func:`exit_with_parent`
is called once at worker start-up by both :mod:`pointcept.engines.launch` and
:mod:`pointcept.datasets.preprocessing.runner`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

__all__ = ["exit_with_parent", "parent_alive"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _set_pdeathsig(sig: int) -> bool:
    """Ask Linux to send ``sig`` to this process when its parent thread exits; False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def parent_alive(parent_pid: int) -> bool:
    """Whether this process is still the child of ``parent_pid``.

    Why the parent pid rather than ``os.kill(pid, 0)``: an orphan is re-parented (to init or a subreaper),
    so a changed ``os.getppid()`` is a reliable sign of the parent's death, immune to pid reuse.
    """
    return os.getppid() == parent_pid


def _watch(parent_pid: int, sig: int, poll_s: float) -> None:
    while parent_alive(parent_pid):
        time.sleep(poll_s)
    os.kill(os.getpid(), sig)


def exit_with_parent(parent_pid: int | None = None, sig: int = signal.SIGTERM, poll_s: float = 1.0,
                     use_prctl: bool = True) -> str:
    """Make this (worker) process receive ``sig`` as soon as its parent dies; returns the mechanism used.

    Call it first thing in a worker. ``parent_pid`` is the pid of the process that started this one (the
    launcher passes ``os.getpid()`` along); None means "whoever is the parent now". On Linux this arms
    ``prctl(PR_SET_PDEATHSIG)`` ("pdeathsig"), then checks the parent is still ``parent_pid``: a parent that
    died before the call would never send the signal. Elsewhere (or with ``use_prctl=False``) a daemon
    thread polls ``os.getppid()`` every ``poll_s`` seconds ("poll").

    Caveat: the kernel ties pdeathsig to the parent *thread* that forked this process, so workers must be
    started from a thread that lives as long as they should (both callers start them from the main thread).
    Never raises: a worker that cannot be tied to its parent still runs.
    """
    parent = os.getppid() if parent_pid is None else int(parent_pid)
    if use_prctl and _set_pdeathsig(sig):
        if not parent_alive(parent):
            os.kill(os.getpid(), sig)
        return "pdeathsig"
    if not parent_alive(parent):
        os.kill(os.getpid(), sig)
    threading.Thread(target=_watch, args=(parent, sig, poll_s), name="exit-with-parent", daemon=True).start()
    return "poll"
