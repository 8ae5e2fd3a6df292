"""Config keys a Pointcept user writes: unknown keys are reported, values are checked (naming the key),
renamed configs keep Pointcept's names (old names still load), save_path defaults to the config's name."""

import glob
import logging
import os
import textwrap

import numpy as np
import pytest

from pointcept.engines.defaults import (
    CONFIG_ALIASES, default_config_parser, default_save_path, known_config_keys, validate_config,
)
from pointcept.utils.config import Config, config_variables, unknown_keys
from pointcept.utils.logger import LOGGER_NAME, remove_file_handlers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNTIME = os.path.join(ROOT, "configs", "_base_", "default_runtime.py")
CONFIGS = sorted(p for p in glob.glob(os.path.join(ROOT, "configs", "**", "*.py"), recursive=True)
                 if "_base_" not in p)

#: Pointcept's names (Pointcept/Pointcept, configs/ at d74c646) for the jobs we have configs for
POINTCEPT_NAMES = [
    "scannet/insseg-pointgroup-v1m1-0-spunet-base",
    "s3dis/insseg-pointgroup-v1m1-0-spunet-base",
    "scannet200/insseg-pointgroup-spunet-0-base",
    "scannet/semseg-spunet-v1m1-0-base",
    "scannet200/semseg-spunet-v1m1-0-base",
    "s3dis/semseg-spunet-v1m1-0-base",
    "scannet/pretrain-msc-v1m1-0-spunet-base",
    "scannet/pretrain-msc-v1m1-1-spunet-pointcontrast",
    "scannet/pretrain-msc-v1m2-0-spunet-csc",
    *[f"scannet/semseg-spunet-v1m1-2-efficient-{s}" for s in ("la20", "la50", "la100", "la200",
                                                              "lr1", "lr5", "lr10", "lr20")],
]


def write(path, text):
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def user_config(tmp_path):
    """A config as a Pointcept user writes it, on the real default runtime, for the debug MLP."""
    root = tmp_path / "data"
    rng = np.random.default_rng(0)
    for split, count in (("train", 2), ("val", 1)):
        for i in range(count):
            folder = root / split / f"s{i}"
            folder.mkdir(parents=True)
            np.save(folder / "coord.npy", rng.uniform(0, 2, (32, 3)).astype(np.float32))
            np.save(folder / "color.npy", rng.integers(0, 256, (32, 3)).astype(np.uint8))
            np.save(folder / "segment.npy", rng.integers(0, 4, 32).astype(np.int16))
    folder = tmp_path / "configs" / "mine"
    folder.mkdir(parents=True)
    return write(folder / "semseg-mlp.py", f"""
        _base_ = [{RUNTIME!r}]
        batchsize = 2  # the typo
        num_worker = 0
        epoch = 1
        eval_epoch = 1
        _private = "never reported"
        num_classes = 4  # a config variable: read below
        data_root = {str(root)!r}
        _pipeline = [dict(type="NormalizeColor"), dict(type="ToTensor"),
                     dict(type="Collect", keys=("coord", "segment"), feat_keys=("coord", "color"))]
        model = dict(type="DefaultSegmentor",
                     backbone=dict(type="PointMLP-debug", in_channels=6, num_classes=num_classes),
                     criteria=[dict(type="CrossEntropyLoss", ignore_index=-1)])
        optimizer = dict(type="SGD", lr=0.1, momentum=0.9)
        scheduler = dict(type="CosineAnnealingLR")
        data = dict(num_classes=num_classes, ignore_index=-1, names=["a", "b", "c", "d"],
                    train=dict(type="DefaultDataset", split="train", data_root=data_root, transform=_pipeline),
                    val=dict(type="DefaultDataset", split="val", data_root=data_root, transform=_pipeline))
        hooks = [dict(type="CheckpointLoader"), dict(type="InformationWriter"), dict(type="CheckpointSaver")]
    """)


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_misspelled_key_warns_at_training_start_naming_the_closest(user_config, tmp_path):
    from pointcept.engines.defaults import default_setup
    from pointcept.engines.train import build_trainer

    # batch_size=2 too: with the typo alone the default 16 is larger than the 2 training scenes
    cfg = default_config_parser(str(user_config), [f"save_path={tmp_path / 'exp'}", "+enable_wandbb=True",
                                                   "batch_size=2"])
    lines = Lines()
    logging.getLogger(LOGGER_NAME).addHandler(lines)
    try:
        default_setup(cfg)
        build_trainer(cfg)
    finally:
        logging.getLogger(LOGGER_NAME).removeHandler(lines)
        remove_file_handlers()
    warnings = [r.getMessage() for r in lines.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings  # one line per unknown key; not num_classes/data_root/_private
    (typo,) = [w for w in warnings if "'batchsize'" in w]
    assert "did you mean 'batch_size'" in typo and "\n" not in typo
    assert any("'enable_wandbb'" in w and "did you mean 'enable_wandb'" in w for w in warnings)
    assert "WARNING" in (tmp_path / "exp" / "train.log").read_text()


def test_config_variables_survive_dump_and_reload(user_config, tmp_path):
    cfg = Config.fromfile(user_config)
    assert {"num_classes", "data_root"} <= config_variables(cfg)
    assert "batchsize" not in config_variables(cfg)
    cfg.dump(tmp_path / "config.py")
    again = Config.fromfile(tmp_path / "config.py")  # what resume and tools/test.py load
    assert again == cfg and unknown_keys(again, known_config_keys()) == [("batchsize", "batch_size")]


def test_default_runtime_keys_are_known_and_no_repo_config_has_unknown_keys():
    runtime = Config.fromfile(RUNTIME)
    assert set(runtime) <= known_config_keys()
    assert {"gradient_accumulation_steps", "enable_wandb", "wandb_project", "wandb_key"} <= set(runtime)
    offenders = {os.path.relpath(p, ROOT): unknown_keys(Config.fromfile(p), known_config_keys()) for p in CONFIGS}
    assert {k: v for k, v in offenders.items() if v} == {}


BAD_VALUES = [
    ("batch_size=-2", "'batch_size' = -2: expected an integer >= 1"),
    ("batch_size=0", "'batch_size' = 0: expected an integer >= 1"),
    ("batch_size=2.5", "'batch_size' = 2.5: expected an integer >= 1"),
    ("num_worker=-3", "'num_worker' = -3: expected an integer >= 0"),
    ("eval_epoch=0", "'eval_epoch' = 0: expected an integer >= 1"),
    ("eval_epoch=3", "'eval_epoch' = 3: expected a divisor of epoch = 1"),
    ("gradient_accumulation_steps=0", "'gradient_accumulation_steps' = 0: expected an integer >= 1"),
    ("enable_amp=1", "'enable_amp' = 1: expected True or False"),
    ("clip_grad=-1", "'clip_grad' = -1: expected None or a number > 0"),
    ("mix_prob=2", "'mix_prob' = 2: expected a number in [0, 1]"),
    ("amp_dtype=float8", "'amp_dtype' = 'float8': expected 'float16' or 'bfloat16'"),
    ("optimizer.lr=-0.1", "'optimizer.lr' = -0.1: expected a number >= 0"),
]


@pytest.mark.parametrize("option,message", BAD_VALUES)
def test_bad_values_fail_at_config_load_naming_key_value_and_expectation(user_config, tmp_path, option, message):
    with pytest.raises(ValueError, match="config key " + _escape(message)):
        default_config_parser(str(user_config), [option, f"save_path={tmp_path}"])


@pytest.mark.parametrize("option,message", [
    ("optimizer.lr=abc", "override optimizer.lr='abc': expected a number (the current value is 0.1), got the string"),
    ("epoch=abc", "override epoch='abc': expected a number (the current value is 1)"),
    ("resume=yes", "override resume='yes': expected True or False"),
])
def test_strings_for_numbers_fail_at_the_override(user_config, option, message):
    with pytest.raises(ValueError, match=_escape(message)):
        default_config_parser(str(user_config), [option])


def test_lr_at_top_level_points_to_optimizer_lr(user_config):
    with pytest.raises(KeyError, match=r"unknown key 'lr' in <root>\. Did you mean: 'optimizer\.lr'\?"):
        default_config_parser(str(user_config), ["lr=abc"])


@pytest.mark.parametrize("key,value,message", [
    ("epoch", "abc", "'epoch' = 'abc': expected an integer >= 1"),
    ("batch_size", -2, "'batch_size' = -2: expected an integer >= 1"),
    ("save_path", None, "'save_path' = None: expected a folder path"),
])
def test_bad_values_in_a_config_fail_at_trainer_start(user_config, tmp_path, key, value, message):
    from pointcept.engines.train import Trainer

    cfg = default_config_parser(str(user_config), [f"save_path={tmp_path}"])
    cfg[key] = value  # as a config built in code (not through default_config_parser) may have it
    with pytest.raises(ValueError, match=_escape(message)):
        Trainer(cfg)
    remove_file_handlers()


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as error:
        validate_config({"batch_size": 0, "num_worker": -3, "epoch": "abc"})
    assert str(error.value).splitlines() == [
        "config key 'batch_size' = 0: expected an integer >= 1 (the batch over all processes)",
        "config key 'num_worker' = -3: expected an integer >= 0 (data-loader workers over all processes)",
        "config key 'epoch' = 'abc': expected an integer >= 1 (passes over the training set)",
    ]


def _escape(text):
    import re

    return re.escape(text)


# ---------------------------------------------------------------------------------- names and save_path
def test_configs_carry_pointcept_names_and_old_names_still_load():
    for name in POINTCEPT_NAMES:
        assert os.path.isfile(os.path.join(ROOT, "configs", f"{name}.py")), name
    for old, new in CONFIG_ALIASES.items():
        folder, stem = old.split("/")
        old_path = os.path.join(ROOT, "configs", folder, f"{stem}.py")
        assert not os.path.exists(old_path), f"{old} is renamed: only the alias may remain"
        with pytest.warns(FutureWarning, match=f"renamed to .*{new}.py"):
            cfg = default_config_parser(old_path)
        assert cfg == default_config_parser(os.path.join(ROOT, "configs", folder, f"{new}.py"))
        assert cfg.save_path == os.path.join("exp", folder, new)


def test_save_path_defaults_to_config_folder_and_name(tmp_path):
    path = os.path.join(ROOT, "configs", "scannet", "pretrain-groupcontrast-v1m1-0-spunet-base.py")
    assert default_config_parser(path).save_path == "exp/scannet/pretrain-groupcontrast-v1m1-0-spunet-base"
    assert default_config_parser(path, [f"save_path={tmp_path}"]).save_path == str(tmp_path)
    write(tmp_path / "own.py", f"_base_ = [{RUNTIME!r}]\nsave_path = 'runs/mine'\n")
    assert default_config_parser(str(tmp_path / "own.py")).save_path == "runs/mine"
    assert default_save_path("configs/demo/semseg-spunet-v1m1-0-base.py") == "exp/demo/semseg-spunet-v1m1-0-base"


def test_finetune_weights_point_at_their_pretraining_configs_default_output():
    checked = 0
    for path in CONFIGS:
        weight = Config.fromfile(path).get("weight")
        if not weight or not weight.startswith("exp/"):
            continue
        folder = os.path.dirname(os.path.dirname(weight))  # exp/<data set>/<config>/model/model_last.pth
        _, dataset, name = folder.split("/")
        pretrain = os.path.join(ROOT, "configs", dataset, f"{name}.py")
        assert os.path.isfile(pretrain), f"{os.path.relpath(path, ROOT)}: weight {weight} names no config"
        assert default_config_parser(pretrain).save_path == folder, os.path.relpath(path, ROOT)
        checked += 1
    assert checked >= 10


def test_tools_train_resolves_an_old_name_and_checks_values_before_launching(tmp_path):
    import subprocess
    import sys

    old = "configs/scannet/insseg-pointgroup-spunet-v1m1-0-base.py"
    out = subprocess.run([sys.executable, "tools/train.py", "--config-file", old, "--options", "eval_epoch=0",
                          f"save_path={tmp_path}"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode != 0
    assert "FutureWarning" in out.stderr and "insseg-pointgroup-v1m1-0-spunet-base.py" in out.stderr
    assert "ValueError: config key 'eval_epoch' = 0: expected an integer >= 1" in out.stderr
    assert not os.listdir(tmp_path)  # nothing was started


def test_a_nested_key_at_top_level_and_a_misspelled_file_name_the_right_place(user_config, tmp_path):
    cfg = default_config_parser(str(user_config), ["+lr=0.1"])
    assert ("lr", "optimizer.lr") in unknown_keys(cfg, known_config_keys())
    with pytest.raises(FileNotFoundError, match="Did you mean: 'semseg-mlp.py'"):
        default_config_parser(str(user_config.parent / "semseg-mpl.py"))
