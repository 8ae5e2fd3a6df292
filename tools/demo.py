"""The README's main job on the built-in demo rooms, end to end on whatever device this machine has.

Stages (each an ordinary experiment under ``exp/demo/``, re-run from scratch every time):
  1. write the procedural demo data set (``data/demo``) if it is not there;
  2. GroupContrast pretraining on the training rooms (no labels);
  3. semantic segmentation fine-tuned from the pretrained backbone, and trained from scratch with the
     same schedule, both tested on whole val rooms; an untrained model's mIoU is the floor;
  4. PointGroup instance segmentation fine-tuned from the same backbone, and trained from scratch with
     the same schedule, both scored with ScanNet's instance AP50 on whole val rooms;
  5. only with ``--with-detection`` (its own command, outside the README's main job): VoteNet detection
     fine-tuned from the same backbone, and trained from scratch with the same schedule, both scored with
     3D box mAP@0.25 / mAP@0.5 on the val rooms. VoteNet's voting and proposal heads need far more steps
     than the main job's 10-minute budget allows: at that budget both rows read ~0.01 / 0.00, which says
     nothing about the detector, so the main job leaves them out.
Prints the results side by side at the end. ``--quick`` shrinks every schedule for smoke tests; the same
data seed and config seeds give the same table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.datasets.demo import write_demo_dataset  # noqa: E402
from pointcept.engines.cli import train_worker  # noqa: E402
from pointcept.engines.defaults import default_config_parser, default_setup  # noqa: E402
from pointcept.engines.testers import build_tester  # noqa: E402
from pointcept.models import build_model  # noqa: E402
from pointcept.utils.logger import get_logger, remove_file_handlers  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def config(name: str, save_path: str, data_root: str, quick: bool, extra: list[str] | None = None,
           splits: tuple[str, ...] = ("train", "val", "test")):
    options = [f"save_path={save_path}"] + [f"data.{s}.data_root={data_root}" for s in splits] + list(extra or [])
    if quick:
        options += ["epoch=1", "eval_epoch=1", "batch_size=2"]
    return default_config_parser(os.path.join(ROOT, "configs", "demo", name), options)


def fresh(path: str) -> str:
    shutil.rmtree(path, ignore_errors=True)
    return path


def untrained_miou(cfg) -> float:
    """Whole-scene mIoU of the configured model at initialisation: the floor any training must beat."""
    cfg = default_setup(cfg, role="test")
    model = build_model(cfg.model)
    return build_tester(cfg, model=model).test()["mIoU"]


def detection_stages(args: argparse.Namespace, weight: str) -> dict[str, float]:
    """VoteNet from the GroupContrast backbone ``weight`` and from scratch (same schedule): mAP@0.25/0.5."""
    results: dict[str, float] = {}
    for name, config_file, folder, extra in (
        ("fine-tuned from GroupContrast", "detection-votenet-spunet-v1m1-1-ft-groupcontrast.py",
         "detection-ft-groupcontrast", [f"weight={weight}"]),
        ("trained from scratch", "detection-votenet-spunet-v1m1-0-base.py", "detection-scratch", []),
    ):
        stage = time.time()
        cfg = config(config_file, fresh(os.path.join(args.exp_root, folder)), args.data_root, args.quick, extra)
        metrics = train_worker(cfg).test_result
        remove_file_handlers()
        for key in ("mAP@0.25", "mAP@0.5"):
            results[f"detection {key}, {name}"] = metrics[key]
        get_logger().info(f"VoteNet {name}: {time.time() - stage:.0f} s")
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", default="data/demo")
    parser.add_argument("--exp-root", default="exp/demo")
    parser.add_argument("--quick", action="store_true", help="tiny schedules (smoke test)")
    parser.add_argument("--num-train", type=int, default=24, help="training rooms to generate")
    parser.add_argument("--num-val", type=int, default=6, help="validation rooms to generate")
    parser.add_argument("--with-detection", action="store_true",
                        help="also fine-tune and train VoteNet (its own run: beyond the main job's time budget)")
    args = parser.parse_args(argv)
    logger = get_logger()
    start = time.time()
    write_demo_dataset(args.data_root, num_train=args.num_train, num_val=args.num_val)
    results: dict[str, float] = {}

    cfg = config("semseg-spunet-v1m1-0-base.py", fresh(os.path.join(args.exp_root, "semseg-untrained")),
                 args.data_root, args.quick)
    results["semseg mIoU, untrained model"] = untrained_miou(cfg)
    remove_file_handlers()

    pretrain_dir = fresh(os.path.join(args.exp_root, "pretrain-groupcontrast"))
    cfg = config("pretrain-groupcontrast-v1m1-0-spunet-base.py", pretrain_dir, args.data_root, args.quick,
                 splits=("train",))
    train_worker(cfg)
    remove_file_handlers()

    weight = os.path.join(pretrain_dir, "model", "model_last.pth")
    cfg = config("semseg-spunet-v1m1-1-ft-groupcontrast.py", fresh(os.path.join(args.exp_root, "semseg-ft-groupcontrast")),
                 args.data_root, args.quick, [f"weight={weight}"])
    results["semseg mIoU, fine-tuned from GroupContrast"] = train_worker(cfg).test_result["mIoU"]
    remove_file_handlers()

    cfg = config("semseg-spunet-v1m1-0-base.py", fresh(os.path.join(args.exp_root, "semseg-scratch")),
                 args.data_root, args.quick)
    results["semseg mIoU, trained from scratch"] = train_worker(cfg).test_result["mIoU"]
    remove_file_handlers()

    for name, config_file, folder, extra in (
        ("fine-tuned from GroupContrast", "insseg-pointgroup-spunet-v1m1-1-ft-groupcontrast.py",
         "insseg-ft-groupcontrast", [f"weight={weight}"]),
        ("trained from scratch", "insseg-pointgroup-spunet-v1m1-0-base.py", "insseg-scratch", []),
    ):
        stage = time.time()
        save_path = fresh(os.path.join(args.exp_root, folder))
        cfg = config(config_file, save_path, args.data_root, args.quick, extra)
        results[f"insseg AP50, {name}"] = train_worker(cfg).test_result["ap50"]
        remove_file_handlers()
        logger.info(f"PointGroup {name}: {time.time() - stage:.0f} s")

    if args.with_detection:
        results.update(detection_stages(args, weight))

    width = max(len(k) for k in results)
    lines = ["", "=" * (width + 12), "Demo results (whole-scene evaluation on the demo val rooms)"]
    lines += [f"  {name:<{width}}  {value:.4f}" for name, value in results.items()]
    lines += [f"  total time {time.time() - start:.0f} s; experiments in {args.exp_root}/", "=" * (width + 12)]
    logger.info("\n".join(lines))
    return results


if __name__ == "__main__":
    main()
