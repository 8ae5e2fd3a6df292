"""Every config under configs/ loads, builds its model and hooks, and its datasets produce a sample."""

import glob
import os

import numpy as np
import pytest
import torch

from pointcept.datasets import build_dataset
from pointcept.datasets.collate import point_collate_fn
from pointcept.engines.hooks import build_hooks
from pointcept.models import build_model
from pointcept.utils.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = sorted(
    os.path.relpath(p, ROOT)
    for p in glob.glob(os.path.join(ROOT, "configs", "**", "*.py"), recursive=True)
    if "_base_" not in p
)
SPLIT_FOLDERS = ("train", "val", "test") + tuple(f"Area_{i}" for i in range(1, 7))


@pytest.fixture(scope="module")
def fixture_root(tmp_path_factory):
    """One small scene per split folder holding every file any config may read."""
    from pointcept.datasets.demo import generate_room

    root = tmp_path_factory.mktemp("configs_data")
    room = generate_room(0, points_per_m2=40)
    n = len(room["coord"])
    rng = np.random.default_rng(0)
    arrays = {
        "coord": room["coord"], "color": room["color"], "normal": room["normal"],
        "segment": room["segment"].astype(np.int16), "segment20": rng.integers(-1, 20, n).astype(np.int16),
        "segment200": rng.integers(-1, 200, n).astype(np.int16), "instance": room["instance"],
        "superpoint": room["superpoint"], "superpoint_official": room["superpoint"], "boxes": room["boxes"],
    }
    for split in SPLIT_FOLDERS:
        folder = root / split / "scene0000_00"
        folder.mkdir(parents=True)
        for name, array in arrays.items():
            np.save(folder / f"{name}.npy", array)
        # a SUN RGB-D frame in VoteNet's layout (detection configs): xyz + rgb 0-1, boxes with half sizes
        np.savez(root / split / "000001_pc.npz", pc=np.c_[room["coord"], room["color"] / 255.0].astype(np.float32))
        np.save(root / split / "000001_bbox.npy", np.c_[room["boxes"][:, :3], room["boxes"][:, 3:6] / 2,
                                                        room["boxes"][:, 6:7], np.arange(len(room["boxes"])) % 10])
        np.savez(root / split / "000001_votes.npz", point_votes=np.zeros((n, 10), np.float32))
    return root


def test_configs_were_found():
    assert len(CONFIGS) >= 20


@pytest.mark.parametrize("path", CONFIGS)
def test_config_builds(path, fixture_root):
    cfg = Config.fromfile(os.path.join(ROOT, path))
    torch.manual_seed(0)
    model = build_model(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
    build_hooks(cfg.hooks)
    for split in ("train", "val", "test"):
        if split not in cfg.data:
            continue
        data_cfg = dict(cfg.data[split])
        data_cfg["data_root"] = str(fixture_root)
        if "lr_file" in data_cfg or "la_file" in data_cfg:
            pytest.skip("data-efficient configs need split files (tested in tests/datasets)")
        dataset = build_dataset(data_cfg)
        sample = dataset[0]
        if data_cfg.get("test_mode"):
            assert sample["fragment_list"], path
        else:
            batch = point_collate_fn([sample])
            assert any(k.endswith("offset") for k in batch), path
            if split == "train":  # the model consumes what the pipeline makes (channels, keys)
                loss = model(batch)["loss"]
                assert torch.isfinite(loss), path
