"""Instance segmentation through the engine: training with the AP hook, ``tools/test.py``'s tester, the
benchmark submission (re-scored from the files), and bad scenes named in errors."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from pointcept.datasets import SceneDataError, build_dataset
from pointcept.datasets.demo import write_demo_dataset
from pointcept.engines import cli
from pointcept.engines.hooks.instance import split_scenes
from pointcept.evaluation.instance_seg import scannet_instance_ap
from pointcept.evaluation.scannet_submission import read_scannet_submission, write_scannet_submission
from pointcept.utils.config import Config
from pointcept.utils.logger import remove_file_handlers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, "configs", "demo", "insseg-pointgroup-spunet-v1m1-0-base.py")
THINGS = list(range(2, 9))


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("insseg_demo")
    write_demo_dataset(root, num_train=2, num_val=2, seed=5, points_per_m2=60)
    return root


def tiny_options(demo_root, save_path) -> list[str]:
    """A debug-MLP PointGroup (fast, no sparse ops) on two tiny rooms; every proposal size kept."""
    mlp = dict(type="PointMLP-debug", in_channels=6, num_classes=0, hidden=(16, 16))
    return [
        f"save_path={save_path}",
        "epoch=1",
        "eval_epoch=1",
        "batch_size=2",
        "batch_size_val=2",
        "num_worker=0",
        f"model.backbone={mlp}",
        "model.cluster_min_points=2",
        "seed=1",
    ] + [f"data.{split}.data_root={demo_root}" for split in ("train", "val", "test")]


def test_train_evaluate_test_and_rescore_the_submission(demo_root, tmp_path):
    save = tmp_path / "exp"
    cfg = Config.fromfile(CONFIG).merge_from_options(tiny_options(demo_root, save))
    trainer = cli.train_worker(cfg)
    remove_file_handlers()
    log = (save / "train.log").read_text()
    assert "Val result: AP/AP50/AP25" in log and "(2 scenes)" in log and "Test result: AP/AP50/AP25" in log
    metrics = trainer.test_result
    assert set(metrics) == {"ap", "ap50", "ap25", "per_class"} and "chair" in metrics["per_class"]
    # tools/test.py on the saved checkpoint reproduces the metrics and rewrites the submission
    test_save = tmp_path / "test"
    cli.test_main(
        [
            "--config-file",
            CONFIG,
            "--options",
            *tiny_options(demo_root, test_save),
            f"weight={save / 'model' / 'model_last.pth'}",
        ]
    )
    remove_file_handlers()
    assert "Test result: AP/AP50/AP25" in (test_save / "test.log").read_text()
    assert sorted(os.listdir(test_save / "submission")) == sorted(os.listdir(save / "submission"))
    # re-score the trainer's benchmark files: the same numbers as its tester
    scenes = []
    for scene_dir in sorted((demo_root / "val").iterdir()):
        masks, labels, scores = read_scannet_submission(save / "submission", scene_dir.name)
        segment = np.load(scene_dir / "segment.npy").astype(np.int64)
        if len(masks) == 0:
            masks = np.zeros((0, len(segment)), bool)
        scenes.append(
            dict(
                name=scene_dir.name,
                gt_segment=segment,
                pred_masks=masks,
                pred_classes=labels,
                pred_scores=scores,
                gt_instance=np.load(scene_dir / "instance.npy").astype(np.int64),
            )
        )
    assert sum(len(s["pred_masks"]) for s in scenes) > 0
    rescored = scannet_instance_ap(scenes, THINGS, cfg.data.names)
    for key in ("ap", "ap50", "ap25"):
        assert rescored[key] == pytest.approx(metrics[key], abs=1e-6, nan_ok=True)


def test_submission_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    masks = rng.random((3, 50)) < 0.3
    path = write_scannet_submission(tmp_path, "scene0001_00", masks, [5, 3, 39], [0.9, 0.123456789, 0.5])
    lines = path.read_text().splitlines()
    assert lines[0] == "predicted_masks/scene0001_00_000.txt 5 0.900000"
    assert (tmp_path / "predicted_masks" / "scene0001_00_002.txt").read_text().count("\n") == 50
    got_masks, labels, scores = read_scannet_submission(tmp_path, "scene0001_00")
    np.testing.assert_array_equal(got_masks, masks)
    assert labels.tolist() == [5, 3, 39] and scores.tolist() == [0.9, 0.123457, 0.5]


def test_split_scenes_maps_a_batch_back_to_original_points():
    """Two samples (3 and 2 voxels; 5 and 3 original points); a proposal of each sample."""
    input_dict = dict(
        offset=torch.tensor([3, 5]),
        origin_offset=torch.tensor([5, 8]),
        inverse=torch.tensor([0, 0, 1, 2, 2, 3, 4, 4]),  # already shifted by collate
        origin_segment=torch.arange(8),
        origin_instance=torch.arange(8) + 10,
        name=["a", "b"],
    )
    output = dict(
        pred_masks=torch.tensor([[1, 0, 1, 0, 0], [0, 0, 0, 0, 1]], dtype=torch.bool),
        pred_classes=torch.tensor([2, 3]),
        pred_scores=torch.tensor([0.5, 0.6]),
        pred_batch=torch.tensor([0, 1]),
    )
    a, b = split_scenes(input_dict, output)
    assert a["name"] == "a" and a["pred_masks"].tolist() == [[True, True, False, True, True]]
    assert b["pred_masks"].tolist() == [[False, True, True]] and b["gt_instance"].tolist() == [15, 16, 17]
    assert a["pred_classes"].tolist() == [2] and b["pred_scores"].tolist() == pytest.approx([0.6])


def test_instance_file_of_wrong_length_is_named(demo_root, tmp_path):
    scene = tmp_path / "val" / "room_bad"
    scene.mkdir(parents=True)
    source = demo_root / "val" / "room_0000"
    for name in ("coord", "color", "normal", "segment"):
        np.save(scene / f"{name}.npy", np.load(source / f"{name}.npy"))
    np.save(scene / "instance.npy", np.load(source / "instance.npy")[:-3])
    cfg = Config.fromfile(CONFIG)
    dataset = build_dataset(dict(cfg.data.val, data_root=str(tmp_path)))
    with pytest.raises(
        SceneDataError, match=r"room_bad/instance\.npy: has \d+ entries but coord\.npy has \d+ points"
    ):
        dataset[0]
