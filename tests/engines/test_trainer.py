"""Trainer: resume after a kill, DDP equivalence, weight loading reports."""

import os

import pytest
import torch

from pointcept.engines.cli import train_worker
from pointcept.engines.hooks import HOOKS, HookBase
from pointcept.engines.launch import launch
from pointcept.engines.train import build_trainer
from pointcept.models import build_model
from pointcept.models.weights import load_weights
from pointcept.utils.logger import remove_file_handlers



class LrRecorder(HookBase):
    def __init__(self):
        self.lrs = []

    def after_step(self):
        self.lrs.append((self.trainer.global_iter, self.trainer.optimizer.param_groups[0]["lr"]))


@HOOKS.register_module(force=True)
class KillAfterEpoch(HookBase):
    """Simulates a kill: raises once the given number of epochs has been checkpointed."""

    def __init__(self, epochs: int):
        self.epochs = epochs

    def after_epoch(self):
        if self.trainer.epoch + 1 == self.epochs:
            raise KeyboardInterrupt("simulated kill")


def run(cfg, extra_hooks=()):
    from pointcept.engines.defaults import default_setup

    default_setup(cfg)
    trainer = build_trainer(cfg)
    recorder = LrRecorder()
    trainer.register_hooks([recorder, *extra_hooks])
    try:
        trainer.train()
    finally:
        remove_file_handlers()
    return trainer, recorder.lrs


def final_state(save_path):
    return torch.load(os.path.join(save_path, "model", "model_last.pth"), weights_only=False)


def test_kill_and_resume_matches_uninterrupted_run(tiny_root, tmp_path, make_config):
    mlp_config = make_config
    # batch 2 of 4 scenes -> 2 steps per epoch; the schedule spans 8 steps
    cfg_full = mlp_config(tiny_root, tmp_path / "full", batch_size=2)
    full_trainer, full_lrs = run(cfg_full)
    assert full_trainer.global_iter == 8

    killed = tmp_path / "killed"
    cfg_kill = mlp_config(tiny_root, killed, batch_size=2)
    cfg_kill.hooks.append(dict(type="KillAfterEpoch", epochs=2))
    with pytest.raises(KeyboardInterrupt):
        run(cfg_kill)
    assert final_state(killed)["epoch"] == 2

    cfg_resume = mlp_config(tiny_root, killed, batch_size=2, resume=True)
    resumed_trainer, resumed_lrs = run(cfg_resume)
    assert resumed_trainer.start_epoch == 2
    assert resumed_trainer.global_iter == 8
    assert resumed_lrs == full_lrs[4:]  # same steps, same learning rates
    full, resumed = final_state(tmp_path / "full"), final_state(killed)
    for key, value in full["state_dict"].items():
        torch.testing.assert_close(resumed["state_dict"][key], value, rtol=0, atol=1e-6)
    assert resumed["best_metric_value"] == pytest.approx(full["best_metric_value"])


def test_experiment_folder_layout(tiny_root, tmp_path, make_config):
    mlp_config = make_config
    cfg = mlp_config(tiny_root, tmp_path / "exp", epoch=2, eval_epoch=2)
    trainer, _ = run(cfg)
    names = set(os.listdir(tmp_path / "exp"))
    assert {"config.py", "train.log", "model"} <= names
    assert any(n.startswith("events.out.tfevents") for n in names)
    assert set(os.listdir(tmp_path / "exp" / "model")) == {"model_last.pth", "model_best.pth"}
    log = (tmp_path / "exp" / "train.log").read_text()
    assert "ETA" in log and "Val result: mIoU" in log
    assert trainer.best_metric_value is not None


def _ddp_cfg(mlp_config, tiny_root, save_path):
    # one step over the 4 training scenes; no normalisation layers, so 2x2 must equal 1x4
    return mlp_config(tiny_root, save_path, epoch=1, eval_epoch=1, batch_size=4, evaluate=False,
                      **{"scheduler.warmup_epochs": 0})


def test_ddp_two_gloo_processes_match_one_process(tiny_root, tmp_path, make_config):
    launch(train_worker, 1, args=(_ddp_cfg(make_config, tiny_root, tmp_path / "single"),))
    remove_file_handlers()
    launch(train_worker, 2, args=(_ddp_cfg(make_config, tiny_root, tmp_path / "ddp"),))
    single = final_state(tmp_path / "single")["state_dict"]
    ddp = {k.removeprefix("module."): v for k, v in final_state(tmp_path / "ddp")["state_dict"].items()}
    assert set(single) == set(ddp)
    torch.manual_seed(7)  # the seed default_setup gives rank 0, so this is the weights before the step
    initial = build_model(_ddp_cfg(make_config, tiny_root, tmp_path).model)
    changed = False
    for key, value in single.items():
        torch.testing.assert_close(ddp[key], value, rtol=1e-5, atol=1e-6)
        changed |= not torch.equal(value, initial.state_dict()[key])
    assert changed


def test_weight_loading_reports_every_mismatch(tmp_path):
    model_cfg = dict(type="DefaultSegmentor", backbone=dict(type="PointMLP-debug", in_channels=6, num_classes=4),
                     criteria=[dict(type="CrossEntropyLoss")])
    source = build_model(model_cfg)
    state = {f"student.{k}": v for k, v in source.state_dict().items()}
    state["student.projector.weight"] = torch.zeros(3)
    path = tmp_path / "pretrained.pth"
    torch.save({"state_dict": state}, path)

    target_cfg = dict(model_cfg, backbone=dict(type="PointMLP-debug", in_channels=6, num_classes=13))
    target = build_model(target_cfg)
    report = load_weights(target, str(path), mapping=[("student.", "")])
    assert "backbone.body.0.weight" in report.loaded
    assert report.unexpected == ["projector.weight"]
    assert [m[0] for m in report.shape_mismatch] == ["backbone.head.weight", "backbone.head.bias"]
    assert report.missing == []
    torch.testing.assert_close(target.backbone.body[0].weight, source.backbone.body[0].weight)
    summary = report.summary()
    assert "unexpected in checkpoint (1): projector.weight" in summary
    assert "backbone.head.weight checkpoint (4, 32) vs model (13, 32)" in summary
    with pytest.raises(KeyError, match="strict weight loading"):
        load_weights(target, str(path), mapping=[("student.", "")], strict=True)
    with pytest.raises(FileNotFoundError, match="nope.pth"):
        load_weights(target, str(tmp_path / "nope.pth"))


def test_ddp_with_fewer_val_scenes_than_processes_does_not_hang(tmp_path, make_config, scene_writer):
    """Rank 1 gets no val scene; evaluation must not enter DDP's buffer broadcast (BatchNorm buffers make
    DDP's forward a collective), or rank 0 waits forever."""
    import subprocess
    import sys

    scene_writer(tmp_path / "data", "train", 4, seed=0)
    scene_writer(tmp_path / "data", "val", 1, seed=1)
    cfg = make_config(tmp_path / "data", tmp_path / "exp", epoch=2, eval_epoch=2, batch_size=4,
                      **{"+model.backbone.batch_norm": True})
    cfg.dump(tmp_path / "config.py")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "tools/train.py", "--config-file", str(tmp_path / "config.py"),
                          "--num-gpus", "2"], cwd=root, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    log = (tmp_path / "exp" / "train.log").read_text()
    assert log.count("Val result: mIoU") == 2  # eval_epoch=2 rounds


def test_config_class_count_reaches_the_dataset_checks(tmp_path, make_config, scene_writer):
    """data.num_classes bounds the labels of a generic DefaultDataset: a label the model cannot predict
    stops training at load time, naming the file, instead of training on it."""
    import numpy as np

    scene_writer(tmp_path / "data", "train", 2, seed=0)
    scene_writer(tmp_path / "data", "val", 1, seed=1)
    bad = tmp_path / "data" / "train" / "scene001" / "segment.npy"
    labels = np.load(bad)
    labels[3] = 7  # data.num_classes is 4
    np.save(bad, labels)
    cfg = make_config(tmp_path / "data", tmp_path / "exp", batch_size=2, epoch=1, eval_epoch=1)
    with pytest.raises(Exception, match=r"scene001/segment\.npy.*class 0\.\.3"):
        run(cfg)
