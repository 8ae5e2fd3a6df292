"""Epoch-valued options count passes over the data set, whatever ``eval_epoch`` is (issue 11, item 2).

The trainer runs ``eval_epoch`` rounds of ``epoch // eval_epoch`` passes each; warmup, step decay and
the hooks' "every n epochs" must count passes, not rounds. Each case fixes the data so that one pass is a
known number of steps and checks the step at which the schedule turns.
"""

import os
from types import SimpleNamespace

import pytest

from pointcept.engines.hooks import HookBase
from pointcept.engines.hooks.base import every_n_data_epochs
from pointcept.engines.train import build_trainer
from pointcept.utils.logger import remove_file_handlers
from pointcept.utils.scheduler import epochs_to_steps

BASE_LR = 0.5  # the debug config's SGD lr
PAIRS = [(4, 4), (4, 2), (4, 1), (6, 3)]  # (epoch, eval_epoch): 1, 2, 4 and 2 passes per round


class LrAfterStep(HookBase):
    """``(global_iter, lr)`` after every step: the lr recorded at step g is the one step g + 1 uses."""

    def __init__(self):
        self.lrs = []

    def after_step(self):
        self.lrs.append((self.trainer.global_iter, self.trainer.optimizer.param_groups[0]["lr"]))


def train(cfg, hooks=None):
    from pointcept.engines.defaults import default_setup

    if hooks is not None:
        cfg.hooks = hooks
    default_setup(cfg)
    trainer = build_trainer(cfg)
    recorder = LrAfterStep()
    trainer.register_hooks([recorder])
    try:
        trainer.train()
    finally:
        remove_file_handlers()
    return trainer, recorder.lrs


def first_step_at_base_lr(lrs):
    return next(step for step, lr in lrs if lr == pytest.approx(BASE_LR, rel=1e-9))


def schedule_config(make_config, root, save_path, epoch, eval_epoch, batch_size, scheduler):
    return make_config(root, save_path, epoch=epoch, eval_epoch=eval_epoch, batch_size=batch_size,
                       evaluate=False, scheduler=scheduler)


# ------------------------------------------------------------------------------------------ warmup
@pytest.mark.parametrize("epoch,eval_epoch", PAIRS)
def test_warmup_ends_after_warmup_epochs_passes_over_the_data(epoch, eval_epoch, tiny_root, tmp_path,
                                                              make_config):
    # 4 training scenes, batch 2: one pass over the data = 2 steps, so 1.5 warmup epochs = 3 steps
    cfg = schedule_config(make_config, tiny_root, tmp_path / "exp", epoch, eval_epoch, 2,
                          dict(type="CosineAnnealingLR", warmup_epochs=1.5))
    trainer, lrs = train(cfg, hooks=[])
    assert first_step_at_base_lr(lrs) == 3
    assert trainer.scheduler.warmup_steps == 3
    assert trainer.global_iter == 2 * epoch  # the length of training is unchanged
    assert trainer.epochs_per_round == epoch // eval_epoch
    assert trainer.steps_per_data_epoch == 2
    warmup = [lr for step, lr in lrs if step < 3]
    assert warmup == sorted(warmup) and warmup[-1] < BASE_LR  # linear ramp, below base lr until step 3


@pytest.mark.parametrize("epoch,eval_epoch", PAIRS)
def test_step_lr_decays_every_step_epochs_passes_over_the_data(epoch, eval_epoch, tiny_root, tmp_path,
                                                               make_config):
    cfg = schedule_config(make_config, tiny_root, tmp_path / "exp", epoch, eval_epoch, 2,
                          dict(type="StepLR", step_epochs=1, gamma=0.5))
    _, lrs = train(cfg, hooks=[])
    # one pass = 2 steps: the lr halves at steps 2, 4, 6, ...
    assert [lr for _, lr in lrs] == pytest.approx([BASE_LR * 0.5 ** (step // 2) for step, _ in lrs])


@pytest.mark.parametrize("epoch,eval_epoch", [(4, 2), (6, 3)])
def test_uneven_batches_keep_epoch_boundaries_exact(epoch, eval_epoch, tmp_path, make_config, scene_writer):
    # 6 scenes, batch 4, 2 passes per round: a round is 12 samples = 3 steps (drop_last), a pass 1.5 steps
    scene_writer(tmp_path / "data", "train", 6)
    root = tmp_path / "data"
    cfg = schedule_config(make_config, root, tmp_path / "warm", epoch, eval_epoch, 4,
                          dict(type="CosineAnnealingLR", warmup_epochs=1))
    trainer, lrs = train(cfg, hooks=[])
    assert first_step_at_base_lr(lrs) == 2  # the first step by which one pass (6 of 8 samples) is done
    assert trainer.global_iter == trainer.max_iter == 1.5 * epoch
    assert trainer.steps_per_data_epoch == 1.5

    cfg = schedule_config(make_config, root, tmp_path / "step", epoch, eval_epoch, 4,
                          dict(type="StepLR", step_epochs=1, gamma=0.5))
    _, lrs = train(cfg, hooks=[])
    # decay k from step ceil(1.5 k): 2, 3, 5, 6, ... (a rounded period of 2 steps would drift)
    decays = {1: 0, 2: 1, 3: 2, 4: 2, 5: 3, 6: 4, 7: 4, 8: 5, 9: 6}
    assert [lr for _, lr in lrs] == pytest.approx([BASE_LR * 0.5 ** decays[step] for step, _ in lrs])


def test_epochs_to_steps_rounds_up_without_float_noise():
    assert epochs_to_steps(1, 1.5) == 2 and epochs_to_steps(2, 1.5) == 3
    assert epochs_to_steps(3, 0.1 * 10) == 3  # 3.0000000000000004 is still 3 steps
    assert epochs_to_steps(0, 2.5) == 0


# ------------------------------------------------------------------------------------------ hooks
def test_every_n_data_epochs_fires_in_the_round_that_completes_a_multiple():
    def fired(per_round, n, rounds):
        return [every_n_data_epochs(SimpleNamespace(epoch=r, epochs_per_round=per_round), n)
                for r in range(rounds)]

    assert fired(1, 2, 4) == [False, True, False, True]  # one pass per round: every 2nd round, as before
    assert fired(2, 3, 4) == [False, True, True, False]  # passes 2, 4, 6, 8: 3 and 6 end in rounds 2, 3
    assert fired(3, 2, 3) == [True, True, True]
    assert fired(2, 4, 4) == [False, True, False, True]
    assert every_n_data_epochs(SimpleNamespace(epoch=1), 2)  # a stand-in trainer counts a pass per round


def test_checkpoint_save_freq_and_validation_count_passes(tiny_root, tmp_path, make_config):
    # epoch 4 in 2 rounds of 2 passes: every 2 passes = every round, named by passes done
    cfg = make_config(tiny_root, tmp_path / "exp", epoch=4, eval_epoch=2, batch_size=2)
    hooks = [dict(type="SemSegEvaluator", every_n_epochs=2), dict(type="CheckpointSaver", save_freq=2)]
    train(cfg, hooks=hooks)
    saved = set(os.listdir(tmp_path / "exp" / "model"))
    assert {"epoch_2.pth", "epoch_4.pth"} <= saved
    assert (tmp_path / "exp" / "train.log").read_text().count("Val result: mIoU") == 2
