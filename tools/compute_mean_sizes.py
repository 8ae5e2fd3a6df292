"""Per-class mean box sizes of a detection training set, printed as the ``mean_sizes`` config snippet.

Why: VoteNet predicts each box's size as a residual from its class's mean size, so the means belong to
the training data and live in the config. Examples::

    python tools/compute_mean_sizes.py --dataset sunrgbd --data-root ../shared/data/sunrgbd-votenet
    python tools/compute_mean_sizes.py --dataset scannet --data-root ../shared/data/scannet-real
    python tools/compute_mean_sizes.py --dataset demo --data-root data/demo

A class without training boxes gets the mean over all boxes (flagged in the output), so the config stays
valid; a split without any box is an error.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from pointcept.datasets.detection import ScanNetDetectionDataset, SUNRGBDDataset  # noqa: E402
from pointcept.datasets.detection_demo import DemoDetectionDataset  # noqa: E402

DATASETS = {"sunrgbd": SUNRGBDDataset, "scannet": ScanNetDetectionDataset, "demo": DemoDetectionDataset}


def mean_box_sizes(dataset) -> tuple[np.ndarray, np.ndarray]:
    """``(means (C, 3), counts (C,))`` over every scene's ``gt_boxes`` (untransformed); classes without a
    box get the mean of all boxes."""
    names = dataset.DETECTION_CLASS_NAMES
    sums, counts = np.zeros((len(names), 3)), np.zeros(len(names), dtype=np.int64)
    for i in range(len(dataset.data_list)):
        data = dataset.get_data(i)
        np.add.at(sums, data["gt_classes"], data["gt_boxes"][:, 3:6].astype(np.float64))
        counts += np.bincount(data["gt_classes"], minlength=len(names))
    if counts.sum() == 0:
        raise ValueError(f"{dataset.data_root} ({dataset.split}): no boxes at all; mean sizes are undefined")
    means = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], sums.sum(0) / counts.sum())
    return means, counts


def config_snippet(means: np.ndarray, counts: np.ndarray, names, source: str) -> str:
    lines = [f"# per-class mean box sizes dx, dy, dz (m) of {source}: {int(counts.sum())} boxes",
             "# (tools/compute_mean_sizes.py; a class without boxes has the mean of all boxes)", "mean_sizes = ["]
    for name, mean, count in zip(names, means, counts):
        note = f"{count} box{'es' if count > 1 else ''}" if count else "no boxes: overall mean"
        lines.append(f"    [{mean[0]:.4f}, {mean[1]:.4f}, {mean[2]:.4f}],  # {name}: {note}")
    lines.append("]")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), required=True)
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--split", default="train")
    args = parser.parse_args(argv)
    dataset = DATASETS[args.dataset](split=args.split, data_root=args.data_root)
    means, counts = mean_box_sizes(dataset)
    print(config_snippet(means, counts, dataset.DETECTION_CLASS_NAMES, f"{args.data_root}/{args.split}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
