"""Benchmark PointGroup grouping and ScanNet instance AP on a ScanNet-size scene, on one CPU core.

The scene is ``scannet-real/train/scene0000_00`` (81k points, its ScanNet20 labels and instances); without
the real data, a procedural demo room of ~80k points. Model outputs are simulated from the labels, so the
timing covers realistic cluster shapes without a trained network: semantics with ``--label-noise`` of the
points flipped to a random class, offsets to the true centroids plus Gaussian noise of ``--offset-noise``
metres (0 gives the densest case: every instance collapses onto one point). Prints the median of
``--repeats`` runs for grouping (dual set, and each set alone) and for the evaluator, with AP50 as a sanity
check. Usage: ``python tools/benchmarks/bench_instance.py [--repeats 5] [--radius 0.03]``.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy/torch are imported
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from pointcept.evaluation.instance_seg import scannet_instance_ap  # noqa: E402
from pointcept.models.point_group.clustering import group_instances  # noqa: E402
from timing import median_time  # noqa: E402  (this folder)

SCENE = "scannet-real/train/scene0000_00"
STUFF = (0, 1)  # wall, floor (ScanNet20 and demo)


def load_scene(data: Path) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, int]:
    folder = data / SCENE
    if (folder / "coord.npy").is_file():
        coord = np.load(folder / "coord.npy").astype(np.float32)
        segment = np.load(folder / "segment20.npy").astype(np.int64).reshape(-1)
        instance = np.load(folder / "instance.npy").astype(np.int64).reshape(-1)
        return SCENE, coord, segment, instance, 20
    from pointcept.datasets.demo import generate_room

    room = generate_room(0, points_per_m2=1100)
    return "demo room 0 (no real data)", room["coord"], room["segment"], room["instance"], 9


def simulated_outputs(coord, segment, instance, num_classes, label_noise, offset_noise, seed=0):
    rng = np.random.default_rng(seed)
    semantic = np.where(segment < 0, 0, segment)
    flip = rng.random(len(coord)) < label_noise
    semantic[flip] = rng.integers(0, num_classes, int(flip.sum()))
    probs = F.softmax(
        torch.tensor(
            4.0 * np.eye(num_classes)[semantic] + rng.normal(0, 0.5, (len(coord), num_classes)),
            dtype=torch.float32,
        ),
        dim=1,
    )
    centroid = coord.astype(np.float64).copy()
    thing = (instance >= 0) & ~np.isin(segment, (-1,) + STUFF)
    for i in np.unique(instance[thing]):
        members = thing & (instance == i)
        centroid[members] = coord[members].mean(0)
    offset = centroid - coord + rng.normal(0, offset_noise, coord.shape) * thing[:, None]
    return probs, torch.tensor(offset, dtype=torch.float32)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--radius", type=float, default=0.03)
    parser.add_argument("--min-points", type=int, default=50)
    parser.add_argument("--label-noise", type=float, default=0.1)
    parser.add_argument("--offset-noise", type=float, nargs="*", default=[0.03, 0.0])
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    name, coord, segment, instance, num_classes = load_scene(Path(args.data))
    things = [c for c in range(num_classes) if c not in STUFF]
    print(
        f"{name}: {len(coord)} points, {len(np.unique(instance[instance >= 0]))} instances; 1 core, "
        f"median of {args.repeats}; radius {args.radius} m, min {args.min_points} points, "
        f"{args.label_noise:.0%} labels flipped"
    )
    coord_t = torch.tensor(coord)
    for noise in args.offset_noise:
        probs, offset = simulated_outputs(coord, segment, instance, num_classes, args.label_noise, noise)
        outputs = {}
        for sets in (("shifted", "original"), ("shifted",), ("original",)):
            seconds, outputs[sets] = median_time(
                lambda: group_instances(
                    coord_t,
                    offset,
                    probs,
                    stuff_classes=STUFF,
                    radius=args.radius,
                    min_points=args.min_points,
                    cluster_sets=sets,
                ),
                args.repeats,
            )
            print(
                f"  offset noise {noise:.2f} m, grouping {'+'.join(sets):<17} {seconds:7.3f} s "
                f"({len(outputs[sets]['pred_masks'])} proposals)"
            )
        dual = outputs[("shifted", "original")]
        scene = dict(
            gt_segment=segment,
            gt_instance=instance,
            pred_masks=dual["pred_masks"].numpy(),
            pred_classes=dual["pred_classes"].numpy(),
            pred_scores=dual["pred_scores"].numpy(),
        )
        seconds, metrics = median_time(lambda: scannet_instance_ap([scene], things), args.repeats)
        print(
            f"  offset noise {noise:.2f} m, evaluation (scannet_instance_ap) {seconds:7.3f} s "
            f"({len(scene['pred_masks'])} predictions; AP/AP50/AP25 "
            f"{metrics['ap']:.3f}/{metrics['ap50']:.3f}/{metrics['ap25']:.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
