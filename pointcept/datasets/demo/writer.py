"""Writing the demo data set: per-scene seeds, atomic scene folders, a resumable ``meta.json``."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from pointcept.utils.io import atomic_write_text

from ..meta.demo import DEMO_CLASS_NAMES, DEMO_THING_CLASSES
from .room import GENERATOR_VERSION, SCENE_KEYS, generate_room


def scene_seed(seed: int, split: str, index: int) -> int:
    """Independent per-scene seeds, so a scene does not change when the split sizes do."""
    split_code = {"train": 0, "val": 1}.get(split, 2)
    return int(np.random.SeedSequence([seed, split_code, index]).generate_state(1, np.uint64)[0] >> 1)


def write_scene(scene_dir: Path, arrays: dict[str, np.ndarray], overwrite: bool) -> bool:
    """Write a scene folder atomically: fill a hidden temp folder, then rename it into place.

    A killed run leaves at most a hidden ``.room_xxxx.*.tmp`` folder (never listed as a scene). Returns
    ``False`` when the scene already existed and was kept.
    """
    if scene_dir.exists() and not overwrite:
        return False
    scene_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{scene_dir.name}.", suffix=".tmp", dir=scene_dir.parent))
    old = None
    try:
        os.chmod(tmp, 0o755)
        for key in (*SCENE_KEYS, "boxes"):
            np.save(tmp / f"{key}.npy", arrays[key])
        if scene_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{scene_dir.name}.", suffix=".old", dir=scene_dir.parent))
            os.replace(scene_dir, old / scene_dir.name)
        try:
            os.replace(tmp, scene_dir)
        except OSError:
            if scene_dir.exists() and old is None:  # another writer finished this scene first
                return False
            raise
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_demo_dataset(
    root: str | os.PathLike,
    num_train: int = 24,
    num_val: int = 6,
    seed: int = 0,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Write ``<root>/{train,val}/room_XXXX/*.npy`` and ``meta.json``; resumable, scene by scene.

    Existing scene folders are kept unless ``overwrite``; a ``meta.json`` written with another seed,
    generator version or options is refused (unless ``overwrite``) rather than mixing two data sets.
    ``options`` are passed to :func:`generate_room`.
    """
    root = Path(root)
    meta = {
        "name": "pointcept-demo-rooms",
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "options": json.loads(json.dumps(options)),  # as it reads back (tuples become lists)
        "class_names": list(DEMO_CLASS_NAMES),
        "thing_classes": list(DEMO_THING_CLASSES),
        "counts": {"train": int(num_train), "val": int(num_val)},
        "keys": [*SCENE_KEYS, "boxes"],
    }
    meta_path = root / "meta.json"
    if meta_path.exists() and not overwrite:
        old = json.loads(meta_path.read_text())
        for key in ("generator_version", "seed", "options"):
            if old.get(key) != meta[key]:
                raise ValueError(
                    f"{meta_path} was written with {key}={old.get(key)!r}, not {meta[key]!r}; "
                    "pass overwrite=True (or --overwrite) or choose another root"
                )
    for split, count in (("train", num_train), ("val", num_val)):
        for index in range(count):
            scene_dir = root / split / f"room_{index:04d}"
            if scene_dir.exists() and not overwrite:
                continue
            write_scene(scene_dir, generate_room(scene_seed(seed, split, index), **options), overwrite)
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(meta_path, json.dumps(meta, indent=2) + "\n")
    os.chmod(meta_path, 0o644)  # the temp file it came from was private
    return root
