"""Compare pretraining methods by fine-tuning at equal budget (logic: ``pointcept/benchmark/``).

    python tools/benchmark_transfer.py --profile demo --data-root data/demo --methods none gc \
        --budget-epochs 4 --seeds 0 1 2 --exp-root exp/benchmark/demo

``--help`` lists every option; ``scripts/benchmark_transfer.sh`` is the shell wrapper.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.benchmark.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
