"""Top-down picture of detection boxes over a scene's points: ``python tools/visualize_boxes.py ...``.

Why: boxes derived from instances (ScanNet) or converted from VoteNet files (SUN RGB-D) are checked by
eye — each box outline should hug its object's points. Examples::

    python tools/visualize_boxes.py --dataset scannet --data-root ../shared/data/scannet-real --split val \
        --scenes scene0004_00 scene0005_00 --out exp/vis/scannet_boxes.png
    python tools/visualize_boxes.py --dataset sunrgbd --data-root ../shared/data/sunrgbd-votenet --split val \
        --scenes 000001 000002 --out exp/vis/sunrgbd_boxes.png
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.datasets.detection import ScanNetDetectionDataset, SUNRGBDDataset  # noqa: E402
from pointcept.visualization.boxes import draw_boxes, draw_points_top  # noqa: E402

DATASETS = {"scannet": ScanNetDetectionDataset, "sunrgbd": SUNRGBDDataset}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="scannet")
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--split", default="val")
    parser.add_argument("--scenes", nargs="*", default=None, help="scene/frame names (default: the first 3)")
    parser.add_argument("--max-points", type=int, default=60000, help="points drawn per scene (subsampled)")
    parser.add_argument("--out", required=True, help="PNG path")
    return parser.parse_args(argv)


def draw(ax, sample: dict, class_names, max_points: int) -> None:
    """Points coloured by RGB (lowest first, so tops of objects stay visible) and labelled box outlines."""
    draw_points_top(ax, sample["coord"], sample["color"], max_points)
    draw_boxes(ax, sample["gt_boxes"], sample["gt_classes"], class_names)
    ax.set_title(f"{sample['name']}: {len(sample['gt_boxes'])} boxes", fontsize=9)
    ax.set_aspect("equal")
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")


def main(argv=None) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    args = parse_args(argv)
    dataset = DATASETS[args.dataset](split=args.split, data_root=args.data_root)
    names = [dataset.get_data_name(i) for i in range(len(dataset))]
    wanted = args.scenes or names[:3]
    missing = [s for s in wanted if s not in names]
    if missing:
        print(f"not in {args.data_root}/{args.split}: {missing}", file=sys.stderr)
        return 1
    fig, axes = plt.subplots(1, len(wanted), figsize=(6 * len(wanted), 6), squeeze=False)
    for ax, scene in zip(axes[0], wanted):
        sample = dataset.get_data(names.index(scene))
        draw(ax, sample, dataset.DETECTION_CLASS_NAMES, args.max_points)
        print(f"{scene}: {len(sample['gt_boxes'])} boxes: "
              + ", ".join(dataset.DETECTION_CLASS_NAMES[int(c)] for c in sample["gt_classes"]))
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    fig.savefig(args.out, dpi=150)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
