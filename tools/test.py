"""Test: ``python tools/test.py --config-file CFG --options save_path=... weight=.../model_best.pth``."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.engines.cli import test_main  # noqa: E402

if __name__ == "__main__":
    test_main()
