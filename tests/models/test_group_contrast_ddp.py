"""GroupContrast on 2 gloo processes whose data differ: one rank's room has no segment at all.

Every collective (the centre's all-reduce, SyncBatchNorm inside the projectors and predictor, DDP's own)
must run the same number of times on every rank in every step; before the fix the rank without segments
skipped the centre update and the per-scene projector calls, and gloo aborted with "Received data size
doesn't match expected size" (on NCCL: a hung job).
"""

import os
import subprocess
import sys

import numpy as np
import pytest

from pointcept.datasets.demo import SCENE_KEYS, generate_room
from pointcept.engines.defaults import default_config_parser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(ROOT, "configs/demo/pretrain-groupcontrast-v1m1-0-spunet-base.py")


def write_rooms(data_root):
    for index, seed in enumerate((11, 12)):
        room = generate_room(seed, points_per_m2=40, num_objects=2, room_size=(3.0, 3.5))
        folder = data_root / "train" / f"room_{index:04d}"
        folder.mkdir(parents=True)
        for key in SCENE_KEYS:
            np.save(folder / f"{key}.npy", room[key])
    # the second room keeps its points but has no segment: every superpoint id is -1
    superpoint = np.load(data_root / "train" / "room_0001" / "superpoint.npy")
    np.save(data_root / "train" / "room_0001" / "superpoint.npy", np.full_like(superpoint, -1))


@pytest.mark.parametrize("sync_bn", [False, True], ids=["ddp", "ddp-syncbn"])
def test_two_ranks_one_without_segments_finish(tmp_path, sync_bn):
    write_rooms(tmp_path / "data")
    cfg = default_config_parser(CONFIG, {
        "save_path": str(tmp_path / "exp"), "batch_size": 2, "num_worker": 0, "epoch": 2, "eval_epoch": 1,
        "sync_bn": sync_bn, "data.train.data_root": str(tmp_path / "data"),
    })
    cfg.dump(tmp_path / "config.py")
    out = subprocess.run([sys.executable, "tools/train.py", "--config-file", str(tmp_path / "config.py"),
                          "--num-gpus", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    log = (tmp_path / "exp" / "train.log").read_text()
    assert "num_segments" in log
    assert os.path.isfile(tmp_path / "exp" / "model" / "model_last.pth")
