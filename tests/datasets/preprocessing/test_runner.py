"""The shared preprocessing runner: isolation of failures and crashes, warnings, summary, atomic folders."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from pointcept.datasets.preprocessing.runner import (
    SceneResult, Summary, atomic_dir, remove_stale_temps, run_scenes,
)


def work(item):
    """Module level so worker processes can run it."""
    kind, value = item
    if kind == "ok":
        return SceneResult("done", f"value {value}", ["careful"] if value == 2 else [])
    if kind == "skip":
        return ("skipped", "exists")
    if kind == "crash":
        os._exit(3)  # a segfault or the OOM killer: the worker vanishes
    raise RuntimeError(f"bad input {value}")


ITEMS = {"a": ("ok", 1), "b": ("ok", 2), "c": ("skip", 0), "d": ("error", 7), "e": ("crash", 0),
         "f": ("ok", 3)}


@pytest.mark.parametrize("workers", [1, 2])
def test_failures_and_crashes_stay_with_their_scene(workers):
    # a crash can only be survived out of process
    items = dict(ITEMS) if workers > 1 else {k: v for k, v in ITEMS.items() if k != "e"}
    summary = run_scenes(work, items, workers=workers, progress=False)
    assert sorted(summary.done) == ["a", "b", "f"] and summary.skipped == ["c"]
    assert summary.failed["d"] == "RuntimeError: bad input 7"
    if workers > 1:
        assert summary.failed["e"] == "worker process died (crash or out of memory)"
    assert summary.details["b"] == "value 2" and summary.warnings == {"b": ["careful"]}
    text = summary.text()
    assert text.startswith(f"done 3, skipped 1, failed {len(summary.failed)} in ")
    assert "skipped: 1 exists" in text and "WARNING b: careful" in text and "FAILED d: RuntimeError" in text
    assert summary.exit_code == 1


def test_summary_without_failures():
    summary = Summary()
    summary.record("x", ("done", "fine"))
    assert summary.exit_code == 0 and summary.text() == "done 1, skipped 0, failed 0"


def test_atomic_dir(tmp_path):
    target = tmp_path / "split" / "scene"
    with pytest.raises(ValueError):
        with atomic_dir(target) as tmp:
            np.save(tmp / "coord.npy", np.zeros(3))
            raise ValueError("conversion failed half-way")
    assert list((tmp_path / "split").iterdir()) == []  # neither the scene nor a temp folder
    with atomic_dir(target) as tmp:
        np.save(tmp / "coord.npy", np.zeros(3))
    assert [p.name for p in target.iterdir()] == ["coord.npy"]
    assert oct(target.stat().st_mode & 0o777) != "0o700"  # the mode mkdir would give, not mkdtemp's
    with pytest.raises(FileExistsError):
        with atomic_dir(target) as tmp:
            pass
    with atomic_dir(target, overwrite=True) as tmp:
        np.save(tmp / "color.npy", np.ones(3))
    assert [p.name for p in target.iterdir()] == ["color.npy"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["scene"]


def test_remove_stale_temps_by_age_without_pid(tmp_path):
    old = tmp_path / ".scene.x.tmp"  # no pid field: only age tells
    old.write_text("x")
    young = tmp_path / ".scene.y.tmp"
    young.write_text("y")
    past = time.time() - 7200
    os.utime(old, (past, past))
    remove_stale_temps(tmp_path, "scene")
    assert not old.exists() and young.exists()
