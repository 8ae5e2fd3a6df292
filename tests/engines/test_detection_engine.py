"""Detection through the engine: training with the mAP hook, the tester (``tools/test.py``), result files,
and the ``boxes`` picture of its predictions."""

from __future__ import annotations

import os

import numpy as np
import pytest

from pointcept.datasets.demo import write_demo_dataset
from pointcept.engines import cli
from pointcept.utils.config import Config
from pointcept.utils.logger import remove_file_handlers
from pointcept.visualization.cli import main as visualize

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, "configs", "demo", "detection-votenet-spunet-v1m1-0-base.py")


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("detection_demo")
    write_demo_dataset(root, num_train=2, num_val=2, seed=5, points_per_m2=60)
    return root


def tiny_options(demo_root, save_path) -> list[str]:
    """A debug-MLP VoteNet (fast, no sparse ops) on two tiny rooms."""
    mlp = dict(type="PointMLP-debug", in_channels=6, num_classes=0, hidden=(16, 16))
    return [f"save_path={save_path}", "epoch=1", "eval_epoch=1", "batch_size=2", "batch_size_val=2", "num_worker=0",
            f"model.backbone={mlp}", "model.backbone_out_channels=16", "model.num_seed=64", "model.num_proposal=16",
            "+model.min_points_in_box=0", "seed=1"] + [f"data.{s}.data_root={demo_root}" for s in ("train", "val", "test")]


def test_train_evaluate_test_and_draw(demo_root, tmp_path):
    save = tmp_path / "exp"
    cfg = Config.fromfile(CONFIG).merge_from_options(tiny_options(demo_root, save))
    trainer = cli.train_worker(cfg)
    remove_file_handlers()
    log = (save / "train.log").read_text()
    assert "Val result: mAP@0.25/mAP@0.5" in log and "(2 scenes)" in log and "Test result: mAP@0.25/mAP@0.5" in log
    metrics = trainer.test_result
    assert set(metrics) == {"mAP@0.25", "mAP@0.5", "per_class"} and "chair" in metrics["per_class"]
    results = sorted(os.listdir(save / "result"))
    assert results == ["room_0000_pred.npz", "room_0001_pred.npz"]
    with np.load(save / "result" / results[0]) as stored:
        assert stored["boxes"].shape[1] == 7 and len(stored["classes"]) == len(stored["scores"])

    # tools/test.py on the checkpoint reproduces the tester's numbers (validation voxelises deterministically
    # only up to the kept point per voxel, so compare with the trainer's own tester rather than the hook)
    test_save = tmp_path / "test"
    cli.test_main(["--config-file", CONFIG, "--options", *tiny_options(demo_root, test_save),
                   f"weight={save / 'model' / 'model_best.pth'}"])
    remove_file_handlers()
    assert "Test result: mAP@0.25/mAP@0.5" in (test_save / "test.log").read_text()

    # the picture: true and predicted boxes, from the stored predictions and from the checkpoint
    out = tmp_path / "pictures"
    common = ["boxes", "--config-file", CONFIG, "--data-root", str(demo_root), "--scene", "room_0001", "--out", str(out),
              "--score-threshold", "0", "--panel-px", "300"]
    assert visualize(common + ["--pred", str(save / "result" / "room_0001_pred.npz")]) == 0
    png, ply = out / "room_0001_boxes.png", out / "room_0001_boxes.ply"
    assert png.read_bytes()[:4] == b"\x89PNG"
    header = ply.read_bytes()[:400].decode("ascii", "replace")
    assert "element vertex" in header and "element edge" in header
    edges = int(header.split("element edge ")[1].split()[0])
    assert edges % 12 == 0 and edges >= 12 * 2  # every true box at least, 12 edges each
    with pytest.raises(SystemExit, match="not in"):
        visualize(common[:5] + ["--scene", "room_9999", "--out", str(out)])


def test_boxes_picture_from_a_checkpoint(demo_root, tmp_path):
    import torch

    from pointcept.models import build_model

    cfg = Config.fromfile(CONFIG).merge_from_options(tiny_options(demo_root, tmp_path / "x"))
    torch.manual_seed(0)
    weight = tmp_path / "model.pth"
    torch.save({"state_dict": build_model(cfg.model).state_dict()}, weight)
    options_config = tmp_path / "tiny.py"
    options_config.write_text(f"_base_ = [{CONFIG!r}]\nmodel = dict(backbone={dict(type='PointMLP-debug', in_channels=6, num_classes=0, hidden=(16, 16), _delete_=True)!r},"
                              " backbone_out_channels=16, num_seed=64, num_proposal=16, min_points_in_box=0)\n")
    out = tmp_path / "pictures"
    assert visualize(["boxes", "--config-file", str(options_config), "--data-root", str(demo_root), "--split", "train",
                      "--scene", "room_0000", "--weight", str(weight), "--out", str(out), "--no-ply",
                      "--panel-px", "300"]) == 0
    assert (out / "room_0000_boxes.png").is_file() and not (out / "room_0000_boxes.ply").exists()
