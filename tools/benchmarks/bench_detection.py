"""Benchmark VoteNet: training step split into backbone / voting+proposal / loss / backward, inference, NMS and
mAP evaluation per scene, and the point ops (FPS, ball query, grouping) at 50k points.

Runs a detection config's training pipeline on its data (default: the real ScanNet sample CPU config) and
prints medians over ``--steps`` steps after ``--warmup``. Forward parts are timed one after another on the
same batch (CUDA is synchronised around each), the backward pass and optimiser step as one more part.
Usage::

    python tools/benchmarks/bench_detection.py [--config-file CFG] [--steps 5] [--scenes 3] [--device cpu]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy / torch load
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from pointcept.datasets import build_dataset  # noqa: E402
from pointcept.datasets.collate import point_collate_fn  # noqa: E402
from pointcept.engines.hooks.detection import split_ground_truth  # noqa: E402
from pointcept.evaluation.detection import box_map  # noqa: E402
from pointcept.models import build_model  # noqa: E402
from pointcept.models.layers.point_ops import ball_query, furthest_point_sample, group_points  # noqa: E402
from pointcept.utils.config import Config  # noqa: E402
from pointcept.utils.comm import to_device  # noqa: E402

DEFAULT_CONFIG = REPO / "configs" / "scannet" / "detection-votenet-spunet-v1m1-2-real-cpu.py"


class Timer:
    """Wall time of a block; CUDA work is synchronised so it is counted where it is issued."""

    def __init__(self, device: torch.device):
        self.device = device
        self.times: dict[str, list[float]] = {}

    def __call__(self, name: str):
        timer = self

        class Block:
            def __enter__(self):
                if timer.device.type == "cuda":
                    torch.cuda.synchronize()
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                if timer.device.type == "cuda":
                    torch.cuda.synchronize()
                timer.times.setdefault(name, []).append(time.perf_counter() - self.start)

        return Block()

    def medians(self, skip: int = 0) -> dict[str, float]:
        return {k: float(np.median(v[skip:] if len(v) > skip else v)) for k, v in self.times.items()}


def bench_training(cfg, device, steps: int, warmup: int) -> dict[str, float]:
    dataset = build_dataset(cfg.data.train)
    model = build_model(cfg.model).to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    timer = Timer(device)
    per_batch = max(int(cfg.batch_size), 1)
    points = []
    for step in range(warmup + steps):
        samples = [dataset[(step * per_batch + i) % len(dataset)] for i in range(per_batch)]
        batch = to_device(point_collate_fn(samples), device)
        points.append(int(batch["offset"][-1]))
        with timer("backbone (+ seed FPS)"):
            stage = model.forward_backbone(batch)
        with timer("voting + proposal"):
            out = model.forward_heads(stage)
        with timer("loss"):
            loss = model.losses(batch, out)["loss"]
        with timer("backward + step"):
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    result = timer.medians(skip=warmup)
    result["step (sum)"] = sum(result.values())
    result["voxels per batch (median)"] = float(np.median(points[warmup:] or points))
    return result


def bench_inference(cfg, device, scenes: int) -> dict[str, float]:
    dataset = build_dataset(cfg.data.val)
    model = build_model(cfg.model).to(device).eval()
    # an untrained model keeps almost nothing above the score threshold: let every proposal through to NMS
    model.infer_cfg.update(score_threshold=0.0)
    timer = Timer(device)
    preds, gts = [], []
    with torch.no_grad():
        for i in range(min(scenes, len(dataset))):
            batch = to_device(point_collate_fn([dataset[i]]), device)
            with timer("inference forward"):
                out = model.forward_heads(model.forward_backbone(batch))
            with timer("post-processing (decode, empty-box filter, NMS)"):
                pred = model.predict(out)[0]
            gt = split_ground_truth(batch)[0]
            with timer("mAP evaluation (one scene)"):
                box_map([pred], [gt], class_names=cfg.data.names)
            preds.append(pred)
            gts.append(gt)
    result = timer.medians()
    start = time.perf_counter()
    box_map(preds, gts, class_names=cfg.data.names)
    result[f"mAP evaluation ({len(gts)} scenes at once)"] = time.perf_counter() - start
    result["detections per scene (median)"] = float(np.median([len(p[0]) for p in preds]))
    return result


def bench_point_ops(device, n: int = 50_000, seeds: int = 1024, repeats: int = 3) -> dict[str, float]:
    rng = np.random.default_rng(0)
    xyz = torch.from_numpy(rng.uniform(0, [8, 8, 3], (1, n, 3)).astype(np.float32)).to(device)
    feats = torch.randn(1, n, 96, device=device)
    timer = Timer(device)
    for _ in range(repeats):
        with timer(f"FPS {n} -> {seeds}"):
            index = furthest_point_sample(xyz, seeds)
        centres = torch.gather(xyz, 1, index[..., None].expand(-1, -1, 3))
        with timer(f"ball query {seeds} centres, r 0.3, 16 of {n}"):
            idx, _ = ball_query(0.3, 16, xyz, centres)
        with timer(f"grouping {seeds} x 16 x 96 features"):
            group_points(feats, idx)
    return timer.medians()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-file", default=str(DEFAULT_CONFIG))
    parser.add_argument("--data-root", default=None, help="override the config's data root")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--scenes", type=int, default=3)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    cfg = Config.fromfile(args.config_file)
    for split in ("train", "val", "test"):
        if args.data_root and split in cfg.data:
            cfg.data[split]["data_root"] = args.data_root
    root = Path(REPO, cfg.data.train["data_root"]) if not os.path.isabs(cfg.data.train["data_root"]) else Path(cfg.data.train["data_root"])
    torch.manual_seed(0)
    results = {"device": str(device), "threads": torch.get_num_threads(), "config": os.path.relpath(args.config_file, REPO)}
    results["point ops"] = bench_point_ops(device)
    if root.is_dir():
        results["training step"] = bench_training(cfg, device, args.steps, args.warmup)
        results["inference per scene"] = bench_inference(cfg, device, args.scenes)
    else:
        print(f"no data at {root}: only the point ops are timed")
    print(f"device {device}, {results['threads']} thread(s), {results['config']}; medians")
    for section, values in results.items():
        if isinstance(values, dict):
            print(f"{section}:")
            for name, value in values.items():
                print(f"  {name:<52} {value:10.3f}" + ("" if "median)" in name else " s"))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
