"""The experiment folder records the code (git commit + diff, or a source copy) and the environment."""

import json
import os
import subprocess

import pytest

from pointcept.engines import defaults
from pointcept.engines.cli import train_worker
from pointcept.engines.defaults import SOURCE_ROOT, default_setup, git_state, record_experiment
from pointcept.models.layers.sparse_backend import BACKEND_NAME
from pointcept.utils.logger import remove_file_handlers

ENV_KEYS = {"python", "torch", "cuda", "cudnn", "sparse_backend", "numpy", "gpus", "command", "time", "code"}


def leftovers(folder):
    return [n for n in os.listdir(folder) if n.startswith(".") or n.endswith(".tmp")]


def in_git_checkout():
    try:
        return subprocess.run(["git", "-C", str(SOURCE_ROOT), "rev-parse", "HEAD"], capture_output=True).returncode == 0
    except OSError:
        return False


def test_training_start_records_code_and_environment(tiny_root, tmp_path, make_config):
    save = tmp_path / "exp"
    train_worker(make_config(tiny_root, save, epoch=1, eval_epoch=1, evaluate=False))
    remove_file_handlers()
    env = json.loads((save / "env.json").read_text())
    assert ENV_KEYS <= set(env)
    assert env["sparse_backend"]["name"] == BACKEND_NAME and env["sparse_backend"]["version"]
    import numpy
    import torch

    assert env["torch"] == torch.__version__ and env["numpy"] == numpy.__version__ and env["cuda"] == torch.version.cuda
    assert len(env["gpus"]) == (torch.cuda.device_count() if torch.cuda.is_available() else 0)
    assert leftovers(save) == []
    if in_git_checkout():
        head = subprocess.run(["git", "-C", str(SOURCE_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
        info = json.loads((save / "code" / "git.json").read_text())
        assert info["commit"] == head.stdout.strip() == env["code"]["git_commit"]
        patch = (save / "code" / "git_diff.patch").read_text()
        assert info["dirty"] == bool(info["status"])
        if any(not line.startswith("??") for line in info["status"]):
            assert patch.startswith("diff --git")
        for rel in info["untracked_copied"]:
            assert (save / "code" / "untracked" / rel).is_file()
    else:  # pragma: no cover - an installed copy
        assert (save / "code" / "pointcept" / "__init__.py").is_file()


def test_not_a_git_checkout_copies_the_package_source(tmp_path):
    source = tmp_path / "src"  # tmp_path is not inside a git checkout
    (source / "pointcept" / "engines").mkdir(parents=True)
    (source / "pointcept" / "__init__.py").write_text("VERSION = 1\n")
    (source / "pointcept" / "engines" / "x.py").write_text("X = 2\n")
    (source / "pointcept" / "__pycache__").mkdir()
    (source / "pointcept" / "__pycache__" / "junk.pyc").write_bytes(b"\0")
    (source / "configs").mkdir()
    (source / "configs" / "a.py").write_text("epoch = 1\n")
    assert git_state(source) is None
    env = record_experiment(tmp_path / "exp", root=source)
    code = tmp_path / "exp" / "code"
    assert (code / "pointcept" / "engines" / "x.py").read_text() == "X = 2\n"
    assert (code / "configs" / "a.py").is_file() and not (code / "pointcept" / "__pycache__").exists()
    assert json.loads((code / "source.json").read_text())["git"] is None
    assert env["code"] == {"git_commit": None, "source": str(source)}


def test_rewrite_replaces_the_record_and_a_failure_keeps_the_old_one(tmp_path, monkeypatch):
    source = tmp_path / "src"
    (source / "pointcept").mkdir(parents=True)
    (source / "pointcept" / "__init__.py").write_text("A = 1\n")
    save = tmp_path / "exp"
    record_experiment(save, root=source)
    (source / "pointcept" / "__init__.py").write_text("A = 2\n")
    record_experiment(save, root=source)  # a resumed run records the code it runs now
    assert (save / "code" / "pointcept" / "__init__.py").read_text() == "A = 2\n"
    assert leftovers(save) == []

    def broken(folder, *args):
        (folder / "half-written").write_text("x")
        raise OSError("disk full")

    monkeypatch.setattr(defaults, "_write_code_record", broken)
    with pytest.raises(OSError, match="disk full"):
        record_experiment(save, root=source)
    assert (save / "code" / "pointcept" / "__init__.py").read_text() == "A = 2\n"
    assert not (save / "code" / "half-written").exists() and leftovers(save) == []


def test_only_the_main_process_records(tiny_root, tmp_path, make_config, monkeypatch):
    monkeypatch.setattr(defaults, "is_main_process", lambda: False)
    cfg = make_config(tiny_root, tmp_path / "exp", epoch=1, eval_epoch=1)
    os.makedirs(cfg.save_path)
    default_setup(cfg)
    remove_file_handlers()
    assert not (tmp_path / "exp" / "env.json").exists() and not (tmp_path / "exp" / "code").exists()
