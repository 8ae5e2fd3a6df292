"""Pretraining step time of GroupContrast, MSC, PointContrast and CSC on the same scene pair.

Every method gets the same two views of one scene (the GroupContrast and MSC pipelines share the view
generator and augmentations; with one seed they produce identical views, which is checked). Printed per
method, as medians over ``--repeats`` interleaved runs:
  * the full pretraining step (forward, backward, optimizer step, teacher EMA where there is one);
  * the backbone forwards inside that step (timed with forward hooks on the backbone modules);
  * the backbone passes alone on the same views (forward + backward of every view that gets gradient,
    forward of a no-grad teacher view), as tools/benchmarks/bench_groupcontrast.py measures them;
  * the share of the step spent outside the backbone passes: 1 - backbone passes alone / full step.
Uses ../shared/data/scannet-real (scene0000_00) when present, else a procedural demo room (the generator
of tools/make_demo_data.py; then the figures are not ScanNet-size).

    OMP_NUM_THREADS=1 python tools/benchmarks/bench_pretrain_methods.py --repeats 3 --grid-size 0.05
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from bench_groupcontrast import load_scene  # noqa: E402
from timing import median_time  # noqa: E402

from pointcept.datasets.collate import point_collate_fn  # noqa: E402
from pointcept.datasets.pipelines import groupcontrast_pretrain_pipeline, msc_pretrain_pipeline  # noqa: E402
from pointcept.datasets.preprocessing.segmentation import segment_point_cloud  # noqa: E402
from pointcept.datasets.transforms import Compose  # noqa: E402
from pointcept.utils.views import globalize_view_batch  # noqa: E402  (idempotent)
from pointcept.models import build_model  # noqa: E402
from pointcept.utils.config import Config  # noqa: E402

METHODS = {
    "gc": "configs/scannet/pretrain-groupcontrast-v1m1-0-spunet-base.py",
    "msc": "configs/scannet/pretrain-msc-v1m1-0-spunet-base.py",
    "pc": "configs/scannet/pretrain-msc-v1m1-1-spunet-pointcontrast.py",
    "csc": "configs/scannet/pretrain-msc-v1m2-0-spunet-csc.py",
}


def make_batches(data: dict, grid_size: float, seed: int = 0) -> tuple[dict, dict]:
    """The GC batch (with segments) and the MSC batch (with colour/normal targets) of one view pair."""
    gc = Compose(groupcontrast_pretrain_pipeline(grid_size=grid_size))
    msc = Compose(msc_pretrain_pipeline(grid_size=grid_size))
    keys = ["coord", "color", "normal", "superpoint"]
    gc_batch = point_collate_fn([gc({**data, "index_valid_keys": list(keys)}, np.random.default_rng(seed))])
    msc_data = {k: data[k] for k in keys[:3]}
    msc_batch = point_collate_fn([msc({**msc_data, "index_valid_keys": keys[:3]}, np.random.default_rng(seed))])
    for key in ("view1_coord", "view2_coord", "match_index"):
        if not torch.equal(gc_batch[key], msc_batch[key]):
            raise RuntimeError(f"the GC and MSC pipelines gave different {key}: the methods would not see one pair")
    return gc_batch, msc_batch


class BackboneTimer:
    """Sums the wall time of every forward of the given modules (pre/post forward hooks)."""

    def __init__(self, modules: list[torch.nn.Module]):
        self.total, self._start = 0.0, 0.0
        for module in modules:
            module.register_forward_pre_hook(self._pre)
            module.register_forward_hook(self._post)

    def _pre(self, *_):
        self._start = time.perf_counter()

    def _post(self, *_):
        self.total += time.perf_counter() - self._start


def colour_only(batch: dict, channels: int) -> dict:
    """The batch with only the first ``channels`` input channels (colour first): PC/CSC take colour only.

    Why slice instead of running the PC pipeline: every method then still sees the very same views.
    """
    width = batch["view1_feat"].shape[1]
    if channels == width:
        return batch
    if channels > width:
        raise ValueError(f"the config wants {channels} input channels, the batch has {width}")
    return {**batch, **{f"{v}_feat": batch[f"{v}_feat"][:, :channels] for v in ("view1", "view2")}}


def bench_method(name: str, config: str, batch: dict, repeats: int) -> dict:
    cfg = Config.fromfile(os.path.join(ROOT, config))
    if "backbone_in_channels" in cfg.model:
        batch = colour_only(batch, int(cfg.model.backbone_in_channels))
    torch.manual_seed(0)
    model = build_model(cfg.model)
    model.train()
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.01, momentum=0.8)
    teacher = getattr(model, "teacher", None)
    backbones = [model.student.backbone] + ([teacher.backbone] if teacher is not None else [])
    timer = BackboneTimer(backbones)
    views = {**batch, **globalize_view_batch(batch)}

    def view_input(view: str) -> dict:
        return {k: views[f"{view}_{k}"] for k in ("coord", "grid_coord", "feat")} | {"offset": views[f"{view}_offset"]}

    def full_step() -> None:
        output = model(batch)
        optimizer.zero_grad(set_to_none=True)
        output["loss"].backward()
        optimizer.step()
        if teacher is not None:
            model.update_teacher(0.996)

    def backbone_passes() -> None:
        features = model.student.backbone(view_input("view1"))
        if teacher is not None:  # GC: the teacher sees view 2 without gradient
            with torch.no_grad():
                teacher.backbone(view_input("view2"))
        else:  # Siamese: both views through the trained backbone
            features = torch.cat([features, model.student.backbone(view_input("view2"))])
        features.sum().backward()
        optimizer.zero_grad(set_to_none=True)

    full_step(), backbone_passes()  # warm-up
    full, inside, alone = [], [], []
    for _ in range(repeats):  # interleaved, so drift in machine load hits both alike
        timer.total = 0.0
        full.append(median_time(full_step, 1)[0])
        inside.append(timer.total)
        alone.append(median_time(backbone_passes, 1)[0])
    step, passes = statistics.median(full), statistics.median(alone)
    return {"method": name, "step": step, "fwd_in_step": statistics.median(inside), "passes": passes,
            "outside": 100 * (1 - passes / step), "runs": full}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--grid-size", type=float, default=0.02)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    data, source = load_scene()
    data["superpoint"] = segment_point_cloud(data["coord"])
    gc_batch, msc_batch = make_batches(data, args.grid_size)
    print(f"scene: {source}; grid {args.grid_size} m; torch threads {torch.get_num_threads()}")
    print(f"views: {int(gc_batch['view1_offset'][-1])} / {int(gc_batch['view2_offset'][-1])} voxels, "
          f"{len(gc_batch['match_index'])} generator matches (identical views for every method)")
    rows = [bench_method(m, METHODS[m], gc_batch if m == "gc" else msc_batch, args.repeats) for m in args.methods]
    print(f"\n{'method':<7}{'step [s]':>10}{'bb fwd in step [s]':>20}{'bb passes alone [s]':>21}"
          f"{'outside bb [%]':>16}   runs [s]")
    for r in rows:
        print(f"{r['method']:<7}{r['step']:>10.3f}{r['fwd_in_step']:>20.3f}{r['passes']:>21.3f}{r['outside']:>16.1f}   "
              + ", ".join(f"{t:.2f}" for t in r["runs"]))


if __name__ == "__main__":
    main()
