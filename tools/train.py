"""Train: ``python tools/train.py --config-file CFG --num-gpus N --options save_path=exp/scannet/NAME``."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.engines.cli import train_main  # noqa: E402

if __name__ == "__main__":
    train_main()
