"""Run one function per scene in worker processes: progress bar, per-scene isolation, summary, atomic folders.

Why one runner: every preprocessing tool (segments, ScanNet, S3DIS) needs the same guarantees — a bad
scene is reported and never stops the others, a crashed worker only fails its own scene, a kill never
leaves a half-written output (files or whole scene folders appear with one ``os.replace``), and the run
ends with a summary of scenes done / skipped / failed with reasons and the warnings met on the way.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from pointcept.utils.io import _umask
from pointcept.utils.process import exit_with_parent

__all__ = [
    "SceneResult", "Summary", "add_runner_arguments", "atomic_dir", "remove_stale_temps", "run_scenes",
    "scene_dir_problem",
]

#: temp entries older than this are stale even when their owner process cannot be checked
STALE_AGE_S = 3600.0
#: skip reasons of a resumed run: counted in the summary, not listed scene by scene
ROUTINE_SKIPS = ("exists",)


@dataclass
class SceneResult:
    """What one scene's function returns: ``status`` is ``done`` or ``skipped`` (errors are raised)."""

    status: str
    detail: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class Summary:
    """Outcome of a run, keyed by scene name (e.g. ``train/scene0000_00``)."""

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    skip_reasons: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def record(self, key: str, result: SceneResult | tuple) -> None:
        if isinstance(result, tuple):
            result = SceneResult(*result)
        if result.warnings:
            self.warnings[key] = list(result.warnings)
        if result.status == "done":
            self.done.append(key)
            self.details[key] = result.detail
        elif result.status == "skipped":
            self.skipped.append(key)
            self.skip_reasons[key] = result.detail
        else:
            self.failed[key] = result.detail

    def text(self) -> str:
        lines = [f"done {len(self.done)}, skipped {len(self.skipped)}, failed {len(self.failed)}"
                 + (f" in {self.seconds:.1f} s" if self.seconds else "")]
        reasons = Counter(self.skip_reasons.values())
        if reasons:
            lines.append("  skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(reasons.items())))
        lines += [f"  SKIPPED {scene}: {why}" for scene, why in sorted(self.skip_reasons.items())
                  if why not in ROUTINE_SKIPS]
        for scene, messages in sorted(self.warnings.items()):
            lines += [f"  WARNING {scene}: {message}" for message in messages]
        lines += [f"  FAILED {scene}: {reason}" for scene, reason in sorted(self.failed.items())]
        return "\n".join(lines)


def scene_dir_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be a scene's input folder, or None when it can.

    Why: listing scenes with ``is_dir()`` drops broken symlinks (an unmounted disk, moved data) without a
    word, and an empty folder (an interrupted download) fails later with a message about some missing
    file. Preprocessing lists such entries as scenes and fails them with this reason, so every one is
    counted and named in the summary.
    """
    path = Path(path)
    if path.is_symlink() and not path.exists():
        return f"broken symlink (target {os.readlink(path)!r} does not exist)"
    if not path.is_dir():
        return "not a folder"
    try:
        with os.scandir(path) as entries:
            empty = next(entries, None) is None
    except OSError as error:
        return f"cannot list the folder ({type(error).__name__}: {error.strerror or error})"
    return "empty folder (an interrupted download or copy?)" if empty else None


def _safe_call(fn: Callable[[Any], SceneResult | tuple], item: Any) -> SceneResult:
    try:
        result = fn(item)
        return SceneResult(*result) if isinstance(result, tuple) else result
    except Exception as error:  # noqa: BLE001 - reported per scene, never stops the run
        return SceneResult("failed", f"{type(error).__name__}: {error}")


def _pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers exit when this process dies (else they idle forever after a ``kill -9``)."""
    context = multiprocessing.get_context()
    # forkserver workers are children of the server, not of us: let them follow whoever their parent is
    parent = None if context.get_start_method() == "forkserver" else os.getpid()
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=exit_with_parent,
                               initargs=(parent,))


def run_scenes(
    fn: Callable[[Any], SceneResult | tuple], items: Mapping[str, Any], workers: int = 1,
    desc: str = "scenes", progress: bool = True,
) -> Summary:
    """Call ``fn(item)`` for every ``key -> item``; ``workers <= 1`` runs in this process.

    ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one) and return a
    :class:`SceneResult` or ``(status, detail[, warnings])``; an exception fails only that scene.
    Warnings are printed above the bar as they arrive and repeated in :meth:`Summary.text`.
    """
    from tqdm import tqdm

    start = time.perf_counter()
    summary = Summary()
    bar = tqdm(total=len(items), desc=desc, unit="scene", disable=not progress)

    def record(key: str, result: SceneResult) -> None:
        summary.record(key, result)
        for message in result.warnings:
            if progress:
                bar.write(f"WARNING {key}: {message}")
        bar.update()

    if workers <= 1:
        for key, item in items.items():
            record(key, _safe_call(fn, item))
    else:
        crashed: list[str] = []
        with _pool(workers) as pool:
            futures: dict[Future, str] = {
                pool.submit(_safe_call, fn, item): key for key, item in items.items()
            }
            for future in as_completed(futures):
                try:
                    record(futures[future], future.result())
                except BrokenProcessPool:
                    crashed.append(futures[future])
        # A worker that dies (segfault, out of memory) breaks the pool and fails every scene in flight:
        # retry those one by one, each in its own process, so only the culprit is reported.
        for key in crashed:
            try:
                with _pool(1) as pool:
                    result = pool.submit(_safe_call, fn, items[key]).result()
            except BrokenProcessPool:
                result = SceneResult("failed", "worker process died (crash or out of memory)")
            record(key, result)
    bar.close()
    summary.seconds = time.perf_counter() - start
    return summary


def _owner_alive(name: str) -> bool | None:
    """Whether the process named in a temp name ``.<stem>.<pid>.<random>.tmp`` runs; None if unknown."""
    parts = name.split(".")
    if len(parts) < 4 or not parts[-3].isdigit():
        return None
    try:
        os.kill(int(parts[-3]), 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but not ours
        return True
    return True


def remove_stale_temps(folder: str | os.PathLike, stem: str, max_age_s: float = STALE_AGE_S) -> None:
    """Delete ``.<stem>.*.tmp`` files/folders a killed run left in ``folder``.

    An entry is stale when the process that made it is gone (names from :func:`atomic_dir`) or, when
    that cannot be told, when it is older than ``max_age_s`` (another run may still be writing it).
    """
    folder = Path(folder)
    if not folder.is_dir():
        return
    now = time.time()
    for tmp in folder.glob(f".{stem}.*.tmp"):
        try:
            alive = _owner_alive(tmp.name)
            if alive is False or (alive is None and now - tmp.lstat().st_mtime > max_age_s):
                shutil.rmtree(tmp) if tmp.is_dir() and not tmp.is_symlink() else tmp.unlink()
        except OSError:
            pass


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Yield an empty temp folder beside ``path``; it becomes ``path`` only if the block succeeds.

    With ``overwrite`` an existing ``path`` is swapped out (renamed aside, then deleted) after the new
    folder is complete, so readers see either the old or the new scene, never a mix.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; give the folder the mode mkdir would
    try:
        yield tmp
        old = None
        if path.exists():
            if not overwrite:
                raise FileExistsError(f"{path} appeared while it was being written (another run?)")
            old = path.with_name(f".{path.name}.{os.getpid()}.old.tmp")
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def add_runner_arguments(parser: argparse.ArgumentParser, what: str = "scenes") -> None:
    """The ``--workers/--overwrite/--quiet`` options every preprocessing CLI shares."""
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1),
                        help="worker processes (default: min(4, CPUs)); 1 runs in-process")
    parser.add_argument("--overwrite", action="store_true", help=f"redo {what} whose output exists")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
