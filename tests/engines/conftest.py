"""A tiny equal-size scene set and a config for the debug MLP segmentor, for engine tests."""

import numpy as np
import pytest

from pointcept.utils.config import Config


def write_scenes(root, split, count, points=64, seed=0):
    rng = np.random.default_rng(seed)
    for i in range(count):
        folder = root / split / f"scene{i:03d}"
        folder.mkdir(parents=True)
        coord = rng.uniform(0, 2, (points, 3)).astype(np.float32)
        np.save(folder / "coord.npy", coord)
        np.save(folder / "color.npy", rng.integers(0, 256, (points, 3)).astype(np.uint8))
        # labels learnable from the features: which half of the room, and colour brightness
        np.save(folder / "segment.npy", (coord[:, 0] > 1).astype(np.int16) + 2 * (coord[:, 1] > 1))


@pytest.fixture
def tiny_root(tmp_path):
    write_scenes(tmp_path / "data", "train", 4, seed=0)
    write_scenes(tmp_path / "data", "val", 2, seed=1)
    return tmp_path / "data"


def mlp_config(data_root, save_path, **overrides) -> Config:
    pipeline = [
        dict(type="NormalizeColor"),
        dict(type="ToTensor"),
        dict(type="Collect", keys=("coord", "segment"), feat_keys=("coord", "color")),
    ]
    cfg = Config(
        dict(
            weight=None, resume=False, evaluate=True, seed=7, save_path=str(save_path), num_worker=0,
            batch_size=4, batch_size_val=None, batch_size_test=None, epoch=4, eval_epoch=4, clip_grad=None,
            sync_bn=False, enable_amp=False, mix_prob=0.0, param_dicts=None,
            model=dict(type="DefaultSegmentor", backbone=dict(type="PointMLP-debug", in_channels=6, num_classes=4),
                       criteria=[dict(type="CrossEntropyLoss", ignore_index=-1)]),
            optimizer=dict(type="SGD", lr=0.5, momentum=0.9),
            scheduler=dict(type="CosineAnnealingLR", warmup_epochs=1),
            data=dict(
                num_classes=4, ignore_index=-1, names=["a", "b", "c", "d"],
                train=dict(type="DefaultDataset", split="train", data_root=str(data_root), transform=pipeline),
                val=dict(type="DefaultDataset", split="val", data_root=str(data_root), transform=pipeline),
            ),
            hooks=[dict(type="CheckpointLoader"), dict(type="IterationTimer"), dict(type="InformationWriter"),
                   dict(type="SemSegEvaluator"), dict(type="CheckpointSaver")],
            train=dict(type="DefaultTrainer"),
        )
    )
    cfg.merge_from_options(overrides)
    return cfg


@pytest.fixture
def make_config():
    """``make_config(data_root, save_path, **overrides)`` -> a debug-MLP training config."""
    return mlp_config


@pytest.fixture
def scene_writer():
    """``scene_writer(root, split, count, points=64, seed=0)`` writes tiny scenes (for custom split sizes)."""
    return write_scenes


@pytest.fixture
def train_config():
    """``train_config(cfg, extra_hooks=())`` trains in this process and returns the trainer; its log file
    handlers are released afterwards, so the next training in the same test logs to its own folder."""
    from pointcept.engines.cli import train_worker
    from pointcept.utils.logger import remove_file_handlers

    def train(cfg, extra_hooks=()):
        try:
            return train_worker(cfg, extra_hooks)
        finally:
            remove_file_handlers()

    return train
