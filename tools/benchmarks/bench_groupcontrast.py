"""GroupContrast pretraining cost at ScanNet size, and the segmentation cost per scan.

Prints, as medians over ``--repeats`` interleaved runs on one scene pair (two views of one real ScanNet
scan at 2 cm, the paper's setting):
  * the full pretraining step (student forward + backward, teacher forward, grouping and contrast losses,
    optimizer step, teacher EMA);
  * the two backbone passes alone (student forward + backward, teacher forward) on the same views;
  * the share of the step spent outside the backbone passes (target: under 10 %);
  * graph-cut segmentation time of the scan (point-cloud mode; mesh mode on the raw scan when present).
Uses ../shared/data when present, else a procedural demo room (then the figures are not ScanNet-size).

    OMP_NUM_THREADS=2 python tools/benchmarks/bench_groupcontrast.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from pointcept.datasets.collate import point_collate_fn  # noqa: E402
from pointcept.datasets.pipelines import groupcontrast_pretrain_pipeline  # noqa: E402
from pointcept.datasets.preprocessing.segmentation import segment_point_cloud  # noqa: E402
from pointcept.datasets.transforms import Compose  # noqa: E402
from pointcept.utils.views import globalize_view_batch  # noqa: E402  (idempotent)
from pointcept.models import build_model  # noqa: E402
from pointcept.models.group_contrast.model import _view_input  # noqa: E402
from pointcept.utils.config import Config  # noqa: E402
from pointcept.utils.geometry import estimate_normals  # noqa: E402
from timing import median_time  # noqa: E402  (this folder)

SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")


def load_scene() -> tuple[dict, str]:
    scene = os.path.join(SHARED, "scannet-real", "train", "scene0000_00")
    if os.path.isdir(scene):
        data = {k: np.load(os.path.join(scene, f"{k}.npy")) for k in ("coord", "color")}
        source = f"scannet-real/train/scene0000_00 ({len(data['coord'])} points)"
    else:
        from pointcept.datasets.demo import generate_room

        room = generate_room(0)
        data = {k: room[k] for k in ("coord", "color")}
        source = f"demo room ({len(data['coord'])} points; ../shared/data not found)"
    data["coord"] = data["coord"].astype(np.float32)
    data["color"] = data["color"].astype(np.float32)
    data["normal"] = estimate_normals(data["coord"])
    return data, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", default=os.path.join(ROOT, "configs/scannet/pretrain-groupcontrast-v1m1-0-spunet-base.py"))
    parser.add_argument("--grid-size", type=float, default=0.02)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    data, source = load_scene()

    start = time.perf_counter()
    data["superpoint"] = segment_point_cloud(data["coord"])
    seg_cloud = time.perf_counter() - start
    print(f"scene: {source}; torch threads {torch.get_num_threads()}")
    print(f"graph-cut segmentation (point-cloud mode, incl. normals): {seg_cloud:.3f} s, "
          f"{len(np.unique(data['superpoint']))} segments")
    mesh = os.path.join(SHARED, "scannet-raw", "scans", "scene0000_00", "scene0000_00_vh_clean_2.ply")
    if os.path.isfile(mesh):
        from pointcept.datasets.preprocessing.ply import read_ply
        from pointcept.datasets.preprocessing.segmentation import segment_mesh

        ply = read_ply(mesh)
        t = median_time(lambda: segment_mesh(ply["vertices"], ply["faces"]), args.repeats)[0]
        print(f"graph-cut segmentation (mesh mode, {len(ply['vertices'])} vertices): median {t:.3f} s")

    pipeline = Compose(groupcontrast_pretrain_pipeline(grid_size=args.grid_size))
    data["index_valid_keys"] = ["coord", "color", "normal", "superpoint"]
    batch = point_collate_fn([pipeline(dict(data), np.random.default_rng(0))])
    print(f"views: {int(batch['view1_offset'][-1])} / {int(batch['view2_offset'][-1])} voxels, "
          f"{len(batch['match_index'])} matches, {int(batch['num_segments'].sum())} overlap segments")

    cfg = Config.fromfile(args.config_file)
    model = build_model(cfg.model)
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.01, momentum=0.8)
    views = {**batch, **globalize_view_batch(batch)}

    def full_step() -> None:
        output = model(batch)
        optimizer.zero_grad(set_to_none=True)
        output["loss"].backward()
        optimizer.step()
        model.update_teacher(0.996)

    def backbone_passes() -> None:
        features = model.student.backbone(_view_input(views, "view1"))
        with torch.no_grad():
            model.teacher.backbone(_view_input(views, "view2"))
        features.sum().backward()
        optimizer.zero_grad(set_to_none=True)

    full_step(), backbone_passes()  # warm-up
    full, backbone = [], []
    for _ in range(args.repeats):  # interleaved, so drift in machine load hits both alike
        full.append(median_time(full_step, 1)[0])
        backbone.append(median_time(backbone_passes, 1)[0])
    full_median, backbone_median = statistics.median(full), statistics.median(backbone)
    print(f"pretraining step per scene pair: median {full_median:.3f} s (runs {', '.join(f'{t:.2f}' for t in full)})")
    print(f"backbone passes alone:           median {backbone_median:.3f} s (runs {', '.join(f'{t:.2f}' for t in backbone)})")
    print(f"share outside the backbone passes: {100 * (1 - backbone_median / full_median):.1f} % (target < 10 %)")


if __name__ == "__main__":
    main()
