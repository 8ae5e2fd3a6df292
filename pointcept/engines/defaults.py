"""Command-line arguments, config resolution and per-process setup shared by train and test."""

from __future__ import annotations

import argparse
import os
import random
from typing import Sequence

from pointcept.utils.comm import broadcast_object, get_rank, get_world_size, is_main_process
from pointcept.utils.config import Config
from pointcept.utils.logger import get_logger
from pointcept.utils.seed import set_seed


def default_argument_parser(description: str = "Pointcept") -> argparse.ArgumentParser:
    """Pointcept's flags: ``--config-file CFG --num-gpus N --options save_path=... weight=... resume=True``."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--config-file", required=True, metavar="FILE", help="path to a config file")
    parser.add_argument("--num-gpus", type=int, default=1,
                        help="processes per machine (one per GPU; on a CPU machine, CPU processes using gloo)")
    parser.add_argument("--num-machines", type=int, default=1, help="total number of machines")
    parser.add_argument("--machine-rank", type=int, default=0, help="rank of this machine")
    parser.add_argument("--dist-url", default="auto",
                        help="rendezvous URL (tcp://HOST:PORT) for multi-machine runs; 'auto' picks a local port")
    parser.add_argument("--resume", action="store_true", help="same as --options resume=True")
    parser.add_argument("--options", nargs="+", default=[], metavar="KEY=VALUE",
                        help="config overrides, e.g. optimizer.lr=0.1 data.train.loop=2 (prefix + to add a key)")
    return parser


def default_config_parser(config_file: str, options: Sequence[str] | dict | None = None) -> Config:
    if not os.path.isfile(config_file):
        raise FileNotFoundError(f"config file not found: {config_file}")
    cfg = Config.fromfile(config_file)
    cfg.merge_from_options(options)
    if not cfg.get("save_path"):
        cfg.save_path = os.path.join("exp", "default")
    return cfg


def default_setup(cfg: Config, role: str = "train") -> Config:
    """Per-process setup: check batch sizes against the world size, seed, save the resolved config."""
    world_size = get_world_size()
    for key in ("batch_size", "num_worker"):
        value = cfg.get(key)
        if value is not None and key == "batch_size" and value % world_size:
            raise ValueError(f"{key}={value} is the total over {world_size} processes and must divide evenly")
    if cfg.get("seed") is None:
        cfg.seed = broadcast_object(random.randint(0, 2**31 - 1))
    set_seed(cfg.seed + get_rank())
    if is_main_process():
        os.makedirs(cfg.save_path, exist_ok=True)
        cfg.dump(os.path.join(cfg.save_path, "config.py" if role == "train" else f"config_{role}.py"))
    get_logger(log_file=os.path.join(cfg.save_path, f"{role}.log")).info(f"Config saved; seed {cfg.seed}")
    return cfg
