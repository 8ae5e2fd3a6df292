"""Pictures of scenes and of what GroupContrast learns (paper Figures 1, 4, 6, 8).

  python tools/visualize.py groupcontrast --config-file CFG [--weight CKPT] --scene DIR
      [--query-index I] [--out DIR] [--bn-stats running|batch]
  python tools/visualize.py scene --scene DIR [--color-by rgb|segment|instance|superpoint] [--out DIR]
  python tools/visualize.py boxes --config-file DETECTION_CFG --scene NAME [--weight CKPT | --pred NPZ]
      [--split SPLIT] [--score-threshold S] [--out DIR]
  python tools/visualize.py instances --scene DIR --pred SUBMISSION_DIR [--out DIR]

Each subcommand registers itself in ``pointcept.visualization.commands.VISUALIZERS`` from its own module
(``scene``, ``groupcontrast``, ``instances``, ``boxes`` in ``pointcept/visualization/``); importing
``pointcept.visualization`` imports them all, and ``cli.main`` builds the parser from the registry.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.visualization.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
