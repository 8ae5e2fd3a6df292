"""Data-efficient splits: reproducible nested LR/LA files, and datasets that train on exactly those."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from pointcept.datasets import build_dataset
from pointcept.datasets.collate import point_collate_fn
from pointcept.datasets.defaults import SceneDataError
from pointcept.datasets.pipelines import semseg_train_pipeline
from pointcept.datasets.preprocessing import data_efficient as de
from pointcept.utils.config import Config

REPO = Path(__file__).resolve().parents[3]
SETTINGS = ["lr1", "lr5", "lr10", "lr20", "la20", "la50", "la100", "la200"]


def make_root(root: Path, scenes: int = 6, n: int = 3000) -> Path:
    rng = np.random.default_rng(0)
    for i in range(scenes):
        for split in ("train", "val"):
            folder = root / split / f"scene{i:04d}_00"
            folder.mkdir(parents=True)
            np.save(folder / "coord.npy", (rng.random((n, 3)) * [3, 3, 1]).astype(np.float32))
            np.save(folder / "color.npy", rng.integers(0, 256, (n, 3)).astype(np.uint8))
            np.save(folder / "normal.npy", np.tile(np.float32([0, 0, 1]), (n, 1)))
            label = rng.integers(0, 20, n).astype(np.int16)
            label[rng.random(n) < 0.3] = -1  # unannotated points
            np.save(folder / "segment20.npy", label)
            np.save(folder / "point_id.npy", np.arange(n, dtype=np.int64))  # lets a test follow points
    return root


def test_lr_splits_sizes_nested_reproducible():
    scenes = [f"scene{i:04d}_00" for i in range(1201)]
    splits = de.make_lr_splits(scenes, seed=0)
    assert {p: len(s) for p, s in splits.items()} == {1: 12, 5: 60, 10: 120, 20: 240}
    assert set(splits[1]) < set(splits[5]) < set(splits[10]) < set(splits[20])
    assert de.make_lr_splits(reversed(scenes), seed=0) == splits  # input order does not matter
    assert de.make_lr_splits(scenes, seed=1)[20] != splits[20]
    assert de.make_lr_splits(scenes[:10], (1,))[1].__len__() == 1  # at least one scene


def test_la_splits_labelled_nested_reproducible():
    labels = {"b": np.array([-1] * 50 + list(range(300))), "a": np.array([3] * 30 + [-1] * 10)}
    splits = de.make_la_splits(labels, seed=0)
    again = de.make_la_splits(dict(reversed(list(labels.items()))), seed=0)
    for k in de.LA_POINTS:
        for scene in labels:
            np.testing.assert_array_equal(splits[k][scene], again[k][scene])
            assert (labels[scene][splits[k][scene]] != -1).all()  # only labelled points
            assert splits[k][scene].dtype == np.int32 and (np.diff(splits[k][scene]) > 0).all()
    assert len(splits[20]["b"]) == 20 and len(splits[200]["b"]) == 200 and len(splits[50]["a"]) == 30
    assert set(splits[20]["b"]) < set(splits[50]["b"]) < set(splits[100]["b"]) < set(splits[200]["b"])
    # a scene's points do not depend on the other scenes
    alone = de.make_la_splits({"b": labels["b"]}, seed=0)
    np.testing.assert_array_equal(alone[20]["b"], splits[20]["b"])
    other = de.make_la_splits(labels, seed=5)
    assert not np.array_equal(other[20]["b"], splits[20]["b"])
    anywhere = de.make_la_splits(labels, (200,), labelled_only=False)
    assert (labels["b"][anywhere[200]["b"]] == -1).any()


def test_cli_files_and_same_seed_same_files(tmp_path):
    root = make_root(tmp_path / "data")
    cmd = [sys.executable, str(REPO / "tools" / "make_data_efficient_splits.py"), str(root), "--quiet"]
    assert subprocess.run(cmd, capture_output=True, text=True, timeout=300).returncode == 0
    tasks = root / "tasks"
    names = sorted(p.name for p in tasks.iterdir())
    files = [f"{s}.{'txt' if s.startswith('lr') else 'npz'}" for s in SETTINGS]
    assert names == sorted(files + ["info.json"])
    first = {name: (tasks / name).read_bytes() for name in names}
    again = subprocess.run(cmd + ["--out", str(tmp_path / "again")], capture_output=True, text=True,
                           timeout=300)
    assert again.returncode == 0
    for name in names:
        if name.endswith(".npz"):
            a, b = de.load_la_file(tasks / name), de.load_la_file(tmp_path / "again" / name)
            assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
        elif name.endswith(".txt"):
            assert (tmp_path / "again" / name).read_bytes() == first[name]
    assert de.load_lr_file(tasks / "lr1.txt") == de.load_lr_file(tasks / "lr5.txt")  # 6 scenes: 1 each
    assert len(de.load_lr_file(tasks / "lr20.txt")) == 1
    chosen = de.load_la_file(tasks / "la50.npz")
    assert sorted(chosen) == [f"scene{i:04d}_00" for i in range(6)]
    assert all(len(v) == 50 for v in chosen.values())


def test_lr_file_trains_on_listed_scenes_only(tmp_path):
    root = make_root(tmp_path / "data")
    lr = tmp_path / "lr.txt"
    lr.write_text("# two scenes\nscene0003_00\n\nscene0001_00\n")
    dataset = build_dataset(dict(type="ScanNetDataset", split="train", data_root=str(root), lr_file=str(lr)))
    assert [dataset.get_data_name(i) for i in range(len(dataset))] == ["scene0001_00", "scene0003_00"]
    lr.write_text("scene0001_00\nscene0042_00\n")
    with pytest.raises(FileNotFoundError, match="lr.txt: 1 listed scene"):
        build_dataset(dict(type="ScanNetDataset", split="train", data_root=str(root), lr_file=str(lr)))


def limited_dataset(root: Path, la_file: Path, transform=None):
    return build_dataset(dict(
        type="ScanNetDataset", split="train", data_root=str(root), la_file=str(la_file), transform=transform,
        assets={"point_id": "point_id"},
    ))


def test_la_file_only_chosen_points_carry_labels(tmp_path):
    root = make_root(tmp_path / "data")
    de.make_splits_for_root(root, tmp_path / "tasks", percents=(), points=(20,), seed=3, progress=False)
    chosen = de.load_la_file(tmp_path / "tasks" / "la20.npz")
    dataset = limited_dataset(root, tmp_path / "tasks" / "la20.npz")
    for i in range(len(dataset)):
        data = dataset.get_data(i)
        full = np.load(root / "train" / data["name"] / "segment20.npy")
        labelled = np.flatnonzero(data["segment"] != -1)
        np.testing.assert_array_equal(labelled, np.sort(chosen[data["name"]]))
        np.testing.assert_array_equal(data["segment"][labelled], full[labelled])
    # the same seed gives the same points
    de.make_splits_for_root(root, tmp_path / "tasks2", percents=(), points=(20,), seed=3, progress=False)
    chosen2 = de.load_la_file(tmp_path / "tasks2" / "la20.npz")
    assert all(np.array_equal(chosen[k], chosen2[k]) for k in chosen)


def test_la_labels_reach_the_loss_only_at_chosen_points(tmp_path):
    """Through the real training pipeline (voxelisation, crops, shuffles) to a cross-entropy loss."""
    root = make_root(tmp_path / "data")
    de.make_splits_for_root(root, tmp_path / "tasks", percents=(), points=(200,), seed=0, progress=False)
    chosen = de.load_la_file(tmp_path / "tasks" / "la200.npz")
    pipeline = semseg_train_pipeline(grid_size=0.05, keys=("coord", "grid_coord", "segment", "point_id"))
    dataset = limited_dataset(root, tmp_path / "tasks" / "la200.npz", pipeline)
    torch.manual_seed(0)
    batch = point_collate_fn([dataset[0], dataset[1]])
    segment, point_id = batch["segment"], batch["point_id"]
    names = [dataset.get_data_name(0), dataset.get_data_name(1)]
    offsets = batch["offset"].tolist()
    labelled = segment != -1
    assert 0 < labelled.sum() <= 400
    for (start, end), name in zip(zip([0] + offsets[:-1], offsets), names):
        ids = point_id[start:end][labelled[start:end]].numpy()
        assert np.isin(ids, chosen[name]).all()  # every point with a label is a chosen point
    logits = torch.randn(len(segment), 20, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits, segment, ignore_index=-1)
    loss.backward()
    assert (logits.grad[~labelled] == 0).all() and (logits.grad[labelled] != 0).any()


def test_la_file_errors(tmp_path):
    root = make_root(tmp_path / "data", scenes=2)
    la = tmp_path / "la.npz"
    np.savez(la, scene0000_00=np.array([1, 2, 99999]), scene0001_00=np.array([0]))
    with pytest.raises(ValueError, match=r"la.npz\[scene0000_00\]: point index 99999 outside"):
        limited_dataset(root, la).get_data(0)
    np.savez(la, scene0000_00=np.array([1, 2]))
    with pytest.raises(SceneDataError, match="has no labelled points for scene 'scene0001_00'"):
        limited_dataset(root, la).get_data(1)
    pth = tmp_path / "points20"  # Pointcept's released format: a torch-saved dict
    torch.save({"scene0000_00": np.array([5, 6]), "scene0001_00": np.array([7])}, pth)
    full = np.load(root / "train" / "scene0000_00" / "segment20.npy")
    labelled = np.flatnonzero(limited_dataset(root, pth).get_data(0)["segment"] != -1).tolist()
    assert labelled == [i for i in (5, 6) if full[i] != -1]


@pytest.mark.parametrize("setting", SETTINGS)
def test_configs(setting, tmp_path):
    cfg = Config.fromfile(str(REPO / "configs" / "scannet" / f"semseg-spunet-v1m1-2-efficient-{setting}.py"))
    base = Config.fromfile(str(REPO / "configs" / "scannet" / "semseg-spunet-v1m1-0-base.py"))
    key = "lr_file" if setting.startswith("lr") else "la_file"
    assert cfg.data.train[key] == f"data/scannet/tasks/{setting}.{'txt' if key == 'lr_file' else 'npz'}"
    assert key not in cfg.data.val and key not in cfg.data.test and cfg.model == base.model
    root = make_root(tmp_path / "data", scenes=2, n=500)
    de.make_splits_for_root(root, progress=False)
    train = dict(cfg.data.train)
    train.update(data_root=str(root), **{key: str(root / "tasks" / Path(train[key]).name)})
    sample = build_dataset(train)[0]
    assert {"coord", "grid_coord", "segment", "feat"} <= set(sample)


class _Pwn:
    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def test_la_files_load_weights_only_a_crafted_one_runs_no_code(tmp_path):
    from pointcept.utils.checkpoint_io import CheckpointLoadError

    root = make_root(tmp_path / "data", scenes=2)
    marker, la = tmp_path / "pwned", tmp_path / "points20"
    torch.save({"scene0000_00": np.array([5, 6]), "scene0001_00": _Pwn(marker)}, la)
    with pytest.raises(CheckpointLoadError, match=rf"la_file {la} was refused, nothing in it was run"):
        limited_dataset(root, la)
    assert not marker.exists()
    # Pointcept's released files, pickled under numpy 1 (numpy.core.multiarray), still load
    legacy = tmp_path / "points50"
    torch.save({"scene0000_00": np.array([5, 6], dtype=np.int64)}, legacy, _use_new_zipfile_serialization=False)
    raw = legacy.read_bytes()
    assert b"numpy._core.multiarray" in raw
    legacy.write_bytes(raw.replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))
    assert de.load_la_file(legacy)["scene0000_00"].tolist() == [5, 6]


@pytest.mark.parametrize("damage", ["truncated", "empty"])
def test_a_damaged_la_file_names_the_path(tmp_path, damage):
    from pointcept.utils.checkpoint_io import CheckpointLoadError

    la = tmp_path / "points20"
    torch.save({f"scene{i:04d}_00": np.arange(200) for i in range(50)}, la)
    data = la.read_bytes()
    la.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"")
    expected = "truncated" if damage == "truncated" else "empty"
    with pytest.raises(CheckpointLoadError, match=rf"la_file {la} .*{expected}"):
        de.load_la_file(la)
    npz = tmp_path / "la.npz"
    npz.write_bytes(b"" if damage == "empty" else b"PK\x03\x04 not a zip")
    with pytest.raises(ValueError, match=rf"la_file {npz} cannot be read"):
        de.load_la_file(npz)
