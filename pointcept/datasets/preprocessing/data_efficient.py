"""Data-efficient benchmark splits (paper Table 3): limited reconstruction (LR) and annotation (LA).

LR ``lr<P>.txt``: P % of the training scenes (at least one), one name per line. LA ``la<K>.npz``: for every
training scene the indices of K labelled points (``{scene name: int32 array}``). Both are reproducible from
the seed alone: LR takes the first P % of one seeded permutation of the sorted scene names, LA draws each
scene's points from a generator seeded with ``(seed, crc32(scene name))`` — so a scene's points do not
depend on which other scenes exist — and takes the first K of one permutation. Hence the splits are nested
(lr1 within lr5 ..., la20 within la50 ...). By default LA draws only among points that carry a label
(K labelled points means K points with a class); a scene with fewer such points keeps all of them.
``DefaultDataset(lr_file=..., la_file=...)`` reads these files (:func:`load_lr_file`, :func:`load_la_file`);
Pointcept's released LA files (``torch.save`` of the same dict) load as well.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from pointcept.utils.checkpoint_io import safe_torch_load
from pointcept.utils.io import atomic_path, atomic_write_text

__all__ = [
    "LA_POINTS", "LR_PERCENTS", "load_la_file", "load_lr_file", "make_la_splits", "make_lr_splits",
    "make_splits_for_root", "mask_to_annotated", "restrict_scenes", "write_splits",
]

LR_PERCENTS = (1, 5, 10, 20)
LA_POINTS = (20, 50, 100, 200)


def make_lr_splits(scenes: Iterable[str], percents: Sequence[float] = LR_PERCENTS, seed: int = 0) -> dict:
    """``{percent: sorted scene names}``; ``max(1, round(P/100 * n))`` scenes each, nested."""
    names = sorted(set(scenes))
    if not names:
        raise ValueError("no scenes to split")
    order = np.random.default_rng(seed).permutation(len(names))
    return {p: sorted(names[i] for i in order[: max(1, round(p / 100 * len(names)))]) for p in percents}


def scene_rng(seed: int, scene: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(scene.encode())])


def make_la_splits(
    segments: Mapping[str, np.ndarray], points: Sequence[int] = LA_POINTS, seed: int = 0,
    labelled_only: bool = True, ignore_index: int = -1,
) -> dict:
    """``{K: {scene: sorted int32 indices}}`` from each scene's per-point labels (see the module doc)."""
    out: dict = {k: {} for k in points}
    for scene in sorted(segments):
        label = np.asarray(segments[scene]).reshape(-1)
        pool = np.flatnonzero(label != ignore_index) if labelled_only else np.arange(len(label))
        order = scene_rng(seed, scene).permutation(pool)
        for k in points:
            out[k][scene] = np.sort(order[:k]).astype(np.int32)
    return out


def write_splits(out_dir: str | os.PathLike, lr: Mapping | None = None, la: Mapping | None = None,
                 info: dict | None = None) -> list[Path]:
    """Write ``lr<P>.txt``, ``la<K>.npz`` and ``info.json`` (seed, sizes) atomically; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for p, scenes in (lr or {}).items():
        path = out / f"lr{p:g}.txt"
        atomic_write_text(path, "".join(f"{s}\n" for s in scenes))
        written.append(path)
    for k, chosen in (la or {}).items():
        path = out / f"la{k}.npz"
        with atomic_path(path) as tmp, open(tmp, "wb") as handle:
            np.savez_compressed(handle, **chosen)
        written.append(path)
    meta = dict(info or {})
    meta["lr"] = {f"{p:g}": len(s) for p, s in (lr or {}).items()}
    meta["la"] = {str(k): {"scenes": len(c), "points": int(sum(len(v) for v in c.values()))}
                  for k, c in (la or {}).items()}
    atomic_write_text(out / "info.json", json.dumps(meta, indent=2) + "\n")
    return written + [out / "info.json"]


def make_splits_for_root(
    data_root: str | os.PathLike, out_dir: str | os.PathLike | None = None, split: str = "train",
    seed: int = 0, percents: Sequence[float] = LR_PERCENTS, points: Sequence[int] = LA_POINTS,
    segment_file: str = "segment20", labelled_only: bool = True, progress: bool = True,
) -> list[Path]:
    """LR and LA files for the scenes of ``<data_root>/<split>`` (labels from ``<segment_file>.npy``),
    written to ``out_dir`` (default ``<data_root>/tasks``)."""
    from tqdm import tqdm

    folder = Path(data_root) / split
    scenes = sorted(p for p in folder.glob("*") if p.is_dir())
    if not scenes:
        raise FileNotFoundError(f"no scene folders in {folder}")
    lr = make_lr_splits([p.name for p in scenes], percents, seed) if percents else None
    la = None
    if points:
        labels = {}
        for scene in tqdm(scenes, desc="labels", unit="scene", disable=not progress):
            path = scene / f"{segment_file}.npy"
            try:
                labels[scene.name] = np.load(path)
            except (OSError, ValueError) as error:
                raise ValueError(f"cannot read {path}: {error}") from None
        la = make_la_splits(labels, points, seed, labelled_only)
    info = {"seed": seed, "data_root": str(data_root), "split": split, "scenes": len(scenes),
            "segment_file": segment_file, "labelled_only": labelled_only}
    return write_splits(out_dir or Path(data_root) / "tasks", lr, la, info)


def load_lr_file(path: str | os.PathLike) -> list[str]:
    """Scene names of an LR file (one per line; blank lines and ``#`` comments ignored)."""
    lines = Path(path).read_text().splitlines()
    names = [line.split("#", 1)[0].strip() for line in lines]
    names = [n for n in names if n]
    if not names:
        raise ValueError(f"{path}: lists no scene")
    return names


def load_la_file(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """``{scene: int64 point indices}`` of an LA file: ``.npz`` or a torch-saved dict (Pointcept's files)."""
    path = Path(path)
    if path.suffix == ".npz":
        from zipfile import BadZipFile

        try:
            with np.load(path) as data:  # allow_pickle=False: plain arrays only
                chosen = {name: data[name] for name in data.files}
        except (OSError, ValueError, EOFError, BadZipFile) as error:
            raise ValueError(f"la_file {path} cannot be read: {error}; expected an .npz of point indices "
                             "(tools/make_data_efficient_splits.py)") from None
    else:
        # Pointcept's released files are torch-saved dicts of numpy arrays: read with weights_only=True and
        # only numpy's array reconstruction allowed (scoped to this load), so a crafted file runs no code.
        chosen = safe_torch_load(path, "la_file")
        if not isinstance(chosen, dict):
            kind = type(chosen).__name__
            raise ValueError(f"{path}: expected a dict scene name -> point indices, not {kind}")
    return {str(k): np.asarray(v, dtype=np.int64).reshape(-1) for k, v in chosen.items()}


def restrict_scenes(scene_dirs: Sequence[str], lr_file: str | os.PathLike) -> list[str]:
    """The scene folders whose names the LR file lists; every listed scene must be present."""
    wanted = load_lr_file(lr_file)
    by_name = {os.path.basename(d): d for d in scene_dirs}
    missing = [n for n in wanted if n not in by_name]
    if missing:
        raise FileNotFoundError(
            f"{lr_file}: {len(missing)} listed scene(s) are not in the data set, e.g. {missing[:3]}"
        )
    return [by_name[n] for n in sorted(set(wanted))]


def mask_to_annotated(segment: np.ndarray, chosen: np.ndarray, ignore_index: int, where: str) -> np.ndarray:
    """A copy of ``segment`` where every point outside ``chosen`` is ``ignore_index``."""
    if chosen.size and (chosen.min() < 0 or chosen.max() >= len(segment)):
        bad = int(chosen.max() if chosen.max() >= len(segment) else chosen.min())
        raise ValueError(f"{where}: point index {bad} outside the scene's {len(segment)} points")
    masked = np.full_like(segment, ignore_index)
    masked[chosen] = segment[chosen]
    return masked
