"""Gradient accumulation (``gradient_accumulation_steps``): N micro-batches per optimizer step.

The debug MLP has no normalisation layer and every tiny scene has the same number of points, so one step
over N micro-batches of b scenes must give the same weights as one step over a batch of N*b scenes; the
counters the hooks read (``global_iter``, ``max_iter``, the schedule, ``ModelHook.after_step``, which runs
GroupContrast's teacher EMA) must count optimizer steps.
"""

import os

import pytest
import torch

from pointcept.engines.cli import train_worker
from pointcept.engines.defaults import default_setup
from pointcept.engines.hooks import HookBase
from pointcept.engines.launch import launch
from pointcept.engines.train import build_trainer
from pointcept.utils.logger import remove_file_handlers


class StepRecorder(HookBase):
    """Records what the hooks see at every after_step."""

    def __init__(self):
        self.steps = []

    def after_step(self):
        t = self.trainer
        self.steps.append(dict(global_iter=t.global_iter, iter=t.iter, lr=t.optimizer.param_groups[0]["lr"],
                               micro=len(t.comm_info.get("micro_batches", [None])),
                               loss=float(t.comm_info["model_output_dict"]["loss"].detach())))


def build(cfg):
    default_setup(cfg)
    return build_trainer(cfg)


def train(cfg, setup=None):
    trainer = build(cfg)
    recorder = StepRecorder()
    trainer.register_hooks([recorder])
    if setup is not None:
        setup(trainer)
    try:
        trainer.train()
    finally:
        remove_file_handlers()
    return trainer, recorder.steps


def weights(trainer):
    return {k: v.detach().clone() for k, v in trainer.model.state_dict().items()}


def accumulation_cfg(make_config, root, save_path, batch_size, steps, **extra):
    # 8 scenes, 2 epochs: 2 optimizer steps of 4 scenes per epoch either way; momentum and a warmup + cosine
    # schedule make the result depend on every step's gradient and lr
    return make_config(root, save_path, batch_size=batch_size, epoch=2, eval_epoch=2, evaluate=False,
                       **{"+gradient_accumulation_steps": steps, "scheduler.warmup_epochs": 1}, **extra)


@pytest.fixture
def eight_root(tmp_path, scene_writer):
    scene_writer(tmp_path / "data8", "train", 8, seed=3)
    scene_writer(tmp_path / "data8", "val", 1, seed=4)
    return tmp_path / "data8"


def test_two_micro_batches_of_two_equal_one_batch_of_four(eight_root, tmp_path, make_config):
    big, big_steps = train(accumulation_cfg(make_config, eight_root, tmp_path / "n1", 4, 1))
    acc, acc_steps = train(accumulation_cfg(make_config, eight_root, tmp_path / "n2", 2, 2))
    assert big.iters_per_epoch == acc.iters_per_epoch == 2
    assert big.max_iter == acc.max_iter == 4 and acc.global_iter == 4
    assert [s["global_iter"] for s in acc_steps] == [1, 2, 3, 4]
    assert [s["micro"] for s in acc_steps] == [2, 2, 2, 2]
    # the lr schedule advanced once per optimizer step, over the same total
    assert [s["lr"] for s in acc_steps] == pytest.approx([s["lr"] for s in big_steps])
    # the logged loss is the mean of the micro-batch losses (= the big batch's mean: equal-size scenes)
    assert [s["loss"] for s in acc_steps] == pytest.approx([s["loss"] for s in big_steps], rel=1e-5)
    for key, value in weights(big).items():
        torch.testing.assert_close(weights(acc)[key], value, rtol=1e-5, atol=1e-6)
    # and the step did something (not two untrained models)
    torch.manual_seed(7)
    from pointcept.models import build_model

    initial = build_model(accumulation_cfg(make_config, eight_root, tmp_path, 4, 1).model).state_dict()
    assert any(not torch.allclose(initial[k], v) for k, v in weights(acc).items())


def test_hooks_and_model_after_step_run_once_per_optimizer_step(eight_root, tmp_path, make_config):
    cfg = accumulation_cfg(make_config, eight_root, tmp_path / "hooks", 1, 4)
    cfg.hooks = [dict(type="ModelHook"), *cfg.hooks]
    counts = {"model_after_step": 0, "optimizer_step": 0}

    def setup(trainer):
        # stands in for GroupContrast's teacher EMA, which ModelHook calls after every step
        def model_after_step():
            counts["model_after_step"] += 1
            assert trainer.global_iter == counts["model_after_step"]

        trainer.model.after_step = model_after_step
        trainer.optimizer.register_step_post_hook(lambda *_: counts.__setitem__("optimizer_step",
                                                                                counts["optimizer_step"] + 1))

    trainer, steps = train(cfg, setup)
    # 8 batches of 1 per epoch, 4 per step -> 2 steps per epoch, 4 in all
    assert trainer.iters_per_epoch == 2 and trainer.max_iter == 4 == trainer.global_iter
    assert counts == {"model_after_step": 4, "optimizer_step": 4}
    assert trainer.scheduler.last_epoch == 4
    assert [s["iter"] for s in steps] == [0, 1, 0, 1]
    checkpoint = torch.load(os.path.join(cfg.save_path, "model", "model_last.pth"), weights_only=False)
    assert checkpoint["global_iter"] == 4


def test_leftover_micro_batches_are_dropped_and_too_many_steps_fail(eight_root, tmp_path, make_config):
    trainer, steps = train(accumulation_cfg(make_config, eight_root, tmp_path / "n3", 1, 3))
    assert trainer.iters_per_epoch == 2 and len(steps) == 4  # 8 batches: 2 groups of 3, 2 batches unused
    with pytest.raises(ValueError, match="gradient_accumulation_steps=9 exceeds the 8 batches"):
        build(accumulation_cfg(make_config, eight_root, tmp_path / "n9", 1, 9))
    remove_file_handlers()


def test_grad_scaler_path_matches_plain_step(eight_root, tmp_path, make_config):
    """The AMP path (scale every micro-batch's backward, unscale/step/update once) gives the same step.

    A GradScaler on the CPU runs the same code as on CUDA; a power-of-two scale cancels exactly.
    """
    plain, _ = train(accumulation_cfg(make_config, eight_root, tmp_path / "plain", 2, 2, clip_grad=10.0))
    scalers = []

    def use_scaler(trainer):
        trainer.scaler = torch.amp.GradScaler("cpu", init_scale=2.0**8, growth_interval=1)
        scalers.append(trainer.scaler)

    scaled, _ = train(accumulation_cfg(make_config, eight_root, tmp_path / "scaled", 2, 2, clip_grad=10.0), use_scaler)
    for key, value in weights(plain).items():
        torch.testing.assert_close(weights(scaled)[key], value, rtol=1e-5, atol=1e-6)
    assert scalers[0].get_scale() == 2.0**12  # one update (growth) per optimizer step: 4 steps


def test_ddp_accumulation_matches_one_process_big_batch(eight_root, tmp_path, make_config):
    """2 gloo ranks x 2 micro-batches of 2 (no_sync on the first) == 1 process, batch 8."""
    def cfg(save, batch, steps):
        return make_config(eight_root, save, batch_size=batch, epoch=1, eval_epoch=1, evaluate=False,
                           **{"+gradient_accumulation_steps": steps, "scheduler.warmup_epochs": 0})

    launch(train_worker, 1, args=(cfg(tmp_path / "single", 8, 1),))
    remove_file_handlers()
    launch(train_worker, 2, args=(cfg(tmp_path / "ddp", 4, 2),))
    remove_file_handlers()
    single = torch.load(tmp_path / "single" / "model" / "model_last.pth", weights_only=False)
    ddp = torch.load(tmp_path / "ddp" / "model" / "model_last.pth", weights_only=False)
    assert single["global_iter"] == ddp["global_iter"] == 1
    for key, value in single["state_dict"].items():
        torch.testing.assert_close(ddp["state_dict"]["module." + key], value, rtol=1e-5, atol=1e-6)
