"""The command line users type: tools/train.py and tools/test.py (and the scripts/ wrappers) end to end."""

import os
import subprocess
import sys

import pytest

from pointcept.datasets.demo import write_demo_dataset

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, "configs", "demo", "semseg-spunet-v1m1-0-base.py")


def run(args, cwd=ROOT, env=None):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    write_demo_dataset(root, num_train=2, num_val=1, seed=3)
    return root


def tiny_options(demo_root, save_path):
    return [f"save_path={save_path}", "epoch=1", "eval_epoch=1", "batch_size=2", "num_worker=0"] + [
        f"data.{split}.data_root={demo_root}" for split in ("train", "val", "test")
    ]


def test_train_then_test_from_the_command_line(demo_root, tmp_path):
    save = tmp_path / "exp" / "demo" / "cli"
    out = run([sys.executable, "tools/train.py", "--config-file", CONFIG, "--options", *tiny_options(demo_root, save)])
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "Test result: mIoU" in out.stdout
    assert {"config.py", "train.log", "model", "test.log"} <= set(os.listdir(save))
    assert {"model_last.pth", "model_best.pth"} <= set(os.listdir(save / "model"))
    assert os.path.isfile(save / "result" / "room_0000_pred.npy")

    weight = save / "model" / "model_best.pth"
    out = run([sys.executable, "tools/test.py", "--config-file", str(save / "config.py"),
               "--options", f"save_path={save}", f"weight={weight}"])
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "Test result: mIoU" in out.stdout and "loaded" in out.stdout


def test_wrapper_scripts(demo_root, tmp_path):
    env = dict(os.environ, EXP_ROOT=str(tmp_path / "exp"))
    extra = tiny_options(demo_root, "unused")[1:]  # everything but save_path, which the wrapper sets
    # `sh` as Pointcept's README types it: /bin/sh may be dash, and the script must re-run itself under bash
    out = run(["sh", "scripts/train.sh", "-p", sys.executable, "-d", "demo", "-c", "semseg-spunet-v1m1-0-base",
               "-n", "wrapped", "-g", "1", "--", *extra], env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    exp = tmp_path / "exp" / "demo" / "wrapped"
    assert (exp / "model" / "model_best.pth").is_file()
    out = run(["bash", "scripts/test.sh", "-p", sys.executable, "-d", "demo", "-n", "wrapped"], env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "Test result: mIoU" in out.stdout


def test_misspelled_option_fails_before_training(tmp_path):
    out = run([sys.executable, "tools/train.py", "--config-file", CONFIG, "--options", "optimizer.lrr=0.1",
               f"save_path={tmp_path}"])
    assert out.returncode != 0
    assert "unknown key 'lrr' in optimizer" in out.stderr and "'lr'" in out.stderr
