"""docs/architecture.md's worked example (a backbone in one file + one config) runs as written."""

import os
import re

import torch

from pointcept.datasets.demo import write_demo_dataset
from pointcept.engines.cli import train_worker
from pointcept.models import MODELS
from pointcept.utils.config import Config
from pointcept.utils.logger import remove_file_handlers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def example_block(kind: str) -> str:
    text = open(os.path.join(ROOT, "docs", "architecture.md")).read()
    blocks = re.findall(r"```python\n# example: (\w+)\n(.*?)```", text, re.S)
    found = [code for name, code in blocks if name == kind]
    assert len(found) == 1, f"docs/architecture.md needs exactly one '# example: {kind}' block"
    return found[0]


def test_worked_example_trains(tmp_path):
    if "ResidualMLP-v1m1" not in MODELS:
        exec(compile(example_block("model"), "docs/architecture.md: model", "exec"), {"__name__": "example"})
    (tmp_path / "demo").mkdir()
    os.symlink(os.path.join(ROOT, "configs", "_base_"), tmp_path / "_base_")
    config_file = tmp_path / "demo" / "semseg-residualmlp-v1m1-0-base.py"
    config_file.write_text(example_block("config"))
    cfg = Config.fromfile(str(config_file))
    assert cfg.model.backbone.num_classes == cfg.data.num_classes == 9

    write_demo_dataset(tmp_path / "data", num_train=2, num_val=1, points_per_m2=40)
    cfg.merge_from_options([f"save_path={tmp_path / 'exp'}", "epoch=1", "eval_epoch=1", "batch_size=2",
                            "num_worker=0", *[f"data.{s}.data_root={tmp_path / 'data'}" for s in ("train", "val", "test")]])
    try:
        trainer = train_worker(cfg)
    finally:
        remove_file_handlers()
    assert trainer.global_iter == 1 and torch.isfinite(torch.tensor(trainer.test_result["mIoU"]))
