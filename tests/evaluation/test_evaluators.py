"""One evaluator per task, fed by two callers: the validation hook (collated voxel batches, predictions
mapped back through ``inverse``) and the tester (one finished scene at a time, predictions on its points)
give identical metrics; the cross-rank reduction with 2 gloo processes (one rank without a scene) equals
one process."""

from __future__ import annotations

import contextlib
import datetime
import math
import pickle

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from pointcept.datasets.collate import point_collate_fn
from pointcept.engines.hooks.detection import DetectionEvaluator
from pointcept.engines.hooks.evaluator import SemSegEvaluator
from pointcept.engines.hooks.instance import InsSegEvaluator
from pointcept.engines.launch import launch
from pointcept.engines.testers import DetectionTester, InsSegTester, SemSegTester
from pointcept.evaluation.evaluator import (
    DetectionDatasetEvaluator,
    InsSegDatasetEvaluator,
    SemSegDatasetEvaluator,
    reduce_across_ranks,
)
from pointcept.utils.comm import all_gather_list, to_device
from pointcept.utils.config import Config
from pointcept.utils.events import EventStorage
from pointcept.utils.logger import remove_file_handlers

NUM_CLASSES = 5
NAMES = ["wall", "floor", "chair", "table", "sofa"]
STUFF = (0, 1)
FEAT = 4


# ------------------------------------------------------------------------------------------ synthetic scenes
def _voxels(rng: np.random.Generator, points: int, voxels: int) -> np.ndarray:
    """An ``inverse`` (original point -> voxel) that hits every voxel."""
    inverse = np.concatenate([np.arange(voxels), rng.integers(0, voxels, points - voxels)])
    return rng.permutation(inverse).astype(np.int64)


def semseg_scenes(seed: int = 0, count: int = 3) -> list[dict]:
    rng = np.random.default_rng(seed)
    scenes = []
    for i in range(count):
        voxels, points = 30 + 7 * i, 80 + 11 * i
        segment = rng.integers(0, NUM_CLASSES - 1, points)  # the last class is never in the ground truth
        segment[rng.random(points) < 0.1] = -1
        scenes.append(dict(name=f"scene{i}", feat=rng.normal(size=(voxels, FEAT)).astype(np.float32),
                           inverse=_voxels(rng, points, voxels), segment=segment))
    return scenes


def instance_scenes(seed: int = 0, count: int = 3) -> list[dict]:
    """Voxel instances of thing classes (and stuff voxels); the points' labels differ from their voxel's
    now and then, the "model" (feature columns: group, class, score) groups a few voxels wrongly."""
    rng = np.random.default_rng(seed)
    scenes = []
    for i in range(count):
        voxels, points = 40 + 5 * i, 120 + 9 * i
        voxel_instance = rng.integers(-1, 4, voxels)
        instance_class = rng.integers(2, NUM_CLASSES, 4)
        voxel_segment = np.where(voxel_instance >= 0, instance_class[voxel_instance], rng.integers(0, 2, voxels))
        inverse = _voxels(rng, points, voxels)
        segment, instance = voxel_segment[inverse].copy(), voxel_instance[inverse].copy()
        noisy = rng.random(points) < 0.1
        instance[noisy] = rng.integers(-1, 4, int(noisy.sum()))
        group = voxel_instance.copy()
        wrong = rng.random(voxels) < 0.15
        group[wrong] = rng.integers(-1, 4, int(wrong.sum()))
        pred_class = np.where(rng.random(4) < 0.25, rng.integers(2, NUM_CLASSES, 4), instance_class)
        feat = np.stack([group, np.where(group >= 0, pred_class[group], -1), rng.random(voxels),
                         np.zeros(voxels)], axis=1).astype(np.float32)
        scenes.append(dict(name=f"scene{i}", feat=feat, inverse=inverse, segment=segment, instance=instance))
    return scenes


def detection_scenes(seed: int = 0, count: int = 3) -> list[dict]:
    """True boxes, and "predictions" carried in the sample (``pred_*``): jittered true boxes and clutter."""
    rng = np.random.default_rng(seed)
    scenes = []
    for i in range(count):
        k = 3 + i
        boxes = np.concatenate([rng.uniform(0, 5, (k, 3)), rng.uniform(0.5, 2, (k, 3)),
                                rng.uniform(-math.pi, math.pi, (k, 1))], axis=1)
        classes = rng.integers(0, 3, k)
        jitter = np.concatenate([rng.normal(0, 0.2, (k, 3)), np.zeros((k, 4))], axis=1)
        clutter = np.concatenate([rng.uniform(0, 5, (2, 3)), np.ones((2, 3)), np.zeros((2, 1))], axis=1)
        scenes.append(dict(name=f"scene{i}", points=20 + i, gt_boxes=boxes, gt_classes=classes,
                           pred_boxes=np.concatenate([boxes + jitter, clutter]),
                           pred_classes=np.concatenate([classes, rng.integers(0, 3, 2)]),
                           pred_scores=rng.random(k + 2)))
    return scenes


# ------------------------------------------------------------------------------------------ the inputs of each caller
def semseg_val_sample(scene: dict) -> dict:
    """A val sample: voxels (``offset``) plus the original points' labels and ``inverse``."""
    voxels, points = len(scene["feat"]), len(scene["inverse"])
    return dict(name=scene["name"], feat=torch.from_numpy(scene["feat"]), segment=torch.zeros(voxels, dtype=torch.long),
                offset=torch.tensor([voxels]), origin_segment=torch.from_numpy(scene["segment"]),
                inverse=torch.from_numpy(scene["inverse"]), origin_offset=torch.tensor([points]))


def semseg_test_sample(scene: dict) -> dict:
    """A test sample: two overlapping fragments of the voxels, the labels and ``inverse`` of every point."""
    voxels = len(scene["feat"])
    halves = [np.arange(0, 2 * voxels // 3), np.arange(voxels // 3, voxels)]
    fragments = [dict(feat=torch.from_numpy(scene["feat"][index]), index=index, offset=torch.tensor([len(index)]))
                 for index in halves]
    return dict(name=scene["name"], fragment_list=fragments, segment=scene["segment"], inverse=scene["inverse"])


def instance_val_sample(scene: dict) -> dict:
    voxels, points = len(scene["feat"]), len(scene["inverse"])
    return dict(name=scene["name"], feat=torch.from_numpy(scene["feat"]), offset=torch.tensor([voxels]),
                origin_segment=torch.from_numpy(scene["segment"]), origin_instance=torch.from_numpy(scene["instance"]),
                inverse=torch.from_numpy(scene["inverse"]), origin_offset=torch.tensor([points]))


def instance_test_sample(scene: dict) -> dict:
    fragment = dict(feat=torch.from_numpy(scene["feat"]), offset=torch.tensor([len(scene["feat"])]))
    return dict(name=scene["name"], fragment_list=[fragment], segment=scene["segment"],
                origin_instance=scene["instance"], inverse=scene["inverse"])


def detection_sample(scene: dict) -> dict:
    return dict(name=scene["name"], coord=torch.zeros(scene["points"], 3), offset=torch.tensor([scene["points"]]),
                gt_boxes=torch.from_numpy(scene["gt_boxes"]), gt_classes=torch.from_numpy(scene["gt_classes"]),
                gt_boxes_offset=torch.tensor([len(scene["gt_boxes"])]),
                pred_boxes=torch.from_numpy(scene["pred_boxes"]), pred_classes=torch.from_numpy(scene["pred_classes"]),
                pred_scores=torch.from_numpy(scene["pred_scores"]),
                pred_boxes_offset=torch.tensor([len(scene["pred_boxes"])]))


# ------------------------------------------------------------------------------------------ stand-in models
class SemSegModel(nn.Module):
    """Logits linear in each voxel's feature (the same voxel gives the same logits in any batch)."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(FEAT, NUM_CLASSES)
        with torch.no_grad():
            self.head.weight.copy_(torch.linspace(-1, 1, FEAT * NUM_CLASSES).reshape(NUM_CLASSES, FEAT).flip(0) * 3)
            self.head.bias.zero_()

    def forward(self, input_dict: dict) -> dict:
        logits = self.head(input_dict["feat"])
        return dict(seg_logits=logits, loss=logits.square().mean())


def _bounds(offset: torch.Tensor) -> list[int]:
    return [0] + offset.reshape(-1).tolist()


class InsSegModel(nn.Module):
    """One proposal per feature group of each sample, with the group's class and mean score."""

    def forward(self, input_dict: dict) -> dict:
        feat, bounds = input_dict["feat"], _bounds(input_dict["offset"])
        masks, classes, scores, batch = [], [], [], []
        for b, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
            group = feat[lo:hi, 0].long()
            for g in sorted(set(group.tolist()) - {-1}):
                mask = torch.zeros(len(feat), dtype=torch.bool)
                mask[lo:hi] = group == g
                masks.append(mask)
                classes.append(int(feat[lo:hi, 1][group == g][0]))
                scores.append(float(feat[lo:hi, 2][group == g].mean()))
                batch.append(b)
        return dict(pred_masks=torch.stack(masks), pred_classes=torch.tensor(classes), loss=feat[:, 2].mean(),
                    pred_scores=torch.tensor(scores), pred_batch=torch.tensor(batch))


class DetectionModel(nn.Module):
    """The ``pred_*`` boxes each sample carries, as VoteNet's ``predictions`` list."""

    def forward(self, input_dict: dict) -> dict:
        bounds = _bounds(input_dict["pred_boxes_offset"])
        predictions = [tuple(input_dict[key][lo:hi].numpy() for key in ("pred_boxes", "pred_classes", "pred_scores"))
                       for lo, hi in zip(bounds[:-1], bounds[1:])]
        return dict(predictions=predictions, loss=input_dict["pred_scores"].mean())


# ------------------------------------------------------------------------------------------ the two callers
def config(save_path) -> Config:
    return Config(dict(save_path=str(save_path), evaluate=True, data=dict(num_classes=NUM_CLASSES, ignore_index=-1,
                                                                         names=NAMES),
                       model=dict(segment_ignore_index=STUFF)))


class ListLogger:
    def __init__(self):
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(str(message))


class StubTrainer:
    """What a validation hook reads from its trainer."""

    def __init__(self, cfg: Config, model: nn.Module, val_loader: list):
        self.cfg, self.model, self.eval_model, self.val_loader = cfg, model, model, val_loader
        self.device = torch.device("cpu")
        self.logger, self.writer, self.storage = ListLogger(), None, EventStorage()
        self.epoch, self.max_epoch, self.comm_info = 0, 1, {}

    def to_device(self, input_dict: dict) -> dict:
        return to_device(input_dict, self.device)

    def autocast(self):
        return contextlib.nullcontext()


def run_hook(hook, cfg, model, samples, batch_size=2) -> tuple[dict, list[str], StubTrainer]:
    val_loader = [point_collate_fn(samples[i : i + batch_size]) for i in range(0, len(samples), batch_size)]
    trainer = StubTrainer(cfg, model, val_loader)
    hook.bind(trainer)
    hook.after_epoch()
    return hook.evaluate(), trainer.logger.lines, trainer  # a second pass: reset() forgets the first


def run_tester(tester_class, cfg, model, samples, **options) -> dict:
    class ListTester(tester_class):
        def build_test_loader(self):
            return DataLoader(samples, batch_size=1, collate_fn=lambda batch: batch[0])

    try:
        return ListTester(cfg, model=model, **options).test()
    finally:
        remove_file_handlers()


# ------------------------------------------------------------------------------------------ hook path == tester path
def test_semseg_hook_and_tester_agree(tmp_path):
    cfg, model, scenes = config(tmp_path), SemSegModel(), semseg_scenes()
    metrics, lines, trainer = run_hook(SemSegEvaluator(), cfg, model, [semseg_val_sample(s) for s in scenes])
    tested = run_tester(SemSegTester, cfg, model, [semseg_test_sample(s) for s in scenes])
    np.testing.assert_equal(metrics, tested)
    assert math.isnan(metrics["per_class"]["sofa"]["acc"]) and 0 < metrics["mIoU"] < 1
    assert lines[0].startswith("Val result: mIoU/mAcc/allAcc ") and " loss " in lines[0] and "scenes" not in lines[0]
    assert trainer.comm_info["current_metric_name"] == "mIoU"
    assert trainer.comm_info["current_metric_value"] == metrics["mIoU"]
    log = (tmp_path / "test.log").read_text()
    assert "Test result: mIoU/mAcc/allAcc" in log and "Test: [3/3] scene2 mIoU" in log
    saved = np.load(tmp_path / "result" / "scene1_pred.npy")
    assert saved.dtype == np.int16 and len(saved) == len(scenes[1]["segment"])
    # and the voted point predictions are the voxels' argmax mapped through inverse
    logits = model(dict(feat=torch.from_numpy(scenes[1]["feat"])))["seg_logits"]
    np.testing.assert_array_equal(saved, logits.argmax(1).numpy()[scenes[1]["inverse"]])


def test_instance_hook_and_tester_agree(tmp_path):
    cfg, model, scenes = config(tmp_path), InsSegModel(), instance_scenes()
    hook = InsSegEvaluator(segment_ignore_index=STUFF, min_region_size=2)
    metrics, lines, trainer = run_hook(hook, cfg, model, [instance_val_sample(s) for s in scenes])
    tested = run_tester(InsSegTester, cfg, model, [instance_test_sample(s) for s in scenes],
                            segment_ignore_index=STUFF, min_region_size=2)
    np.testing.assert_equal(metrics, tested)
    assert set(metrics) == {"ap", "ap50", "ap25", "per_class"} and 0 < metrics["ap50"] < 1
    assert set(metrics["per_class"]) == {"chair", "table", "sofa"}
    assert lines[0].startswith("Val result: AP/AP50/AP25 ") and lines[0].endswith(" (3 scenes)")
    assert trainer.comm_info["current_metric_name"] == "AP50"
    log = (tmp_path / "test.log").read_text()
    assert "Test result: AP/AP50/AP25" in log and "(3 scenes)" in log and "Benchmark submission written" in log
    assert (tmp_path / "submission" / "scene0.txt").is_file()


def test_detection_hook_and_tester_agree(tmp_path):
    cfg, model, scenes = config(tmp_path), DetectionModel(), detection_scenes()
    cfg.data.names = NAMES[:3]
    samples = [detection_sample(s) for s in scenes]
    metrics, lines, trainer = run_hook(DetectionEvaluator(), cfg, model, samples)
    tested = run_tester(DetectionTester, cfg, model, samples)
    np.testing.assert_equal(metrics, tested)
    assert set(metrics) == {"mAP@0.25", "mAP@0.5", "per_class"} and 0 < metrics["mAP@0.25"] <= 1
    assert lines[0].startswith("Val result: mAP@0.25/mAP@0.5 ") and lines[0].endswith(" (3 scenes)")
    assert trainer.comm_info["current_metric_name"] == "mAP@0.25"
    assert "Test result: mAP@0.25/mAP@0.5" in (tmp_path / "test.log").read_text()
    with np.load(tmp_path / "result" / "scene2_pred.npz") as stored:
        np.testing.assert_array_equal(stored["boxes"], scenes[2]["pred_boxes"])


# ------------------------------------------------------------------------------------------ across ranks
def evaluators() -> dict:
    return dict(
        semseg=SemSegDatasetEvaluator(NUM_CLASSES, -1, NAMES, device="cpu"),
        instance=InsSegDatasetEvaluator([2, 3, 4], NUM_CLASSES, NAMES, min_region_size=2, device="cpu"),
        detection=DetectionDatasetEvaluator((0.25, 0.5), NAMES[:3], device="cpu"),
    )


def feed(evaluator_set: dict, lo: int, hi: int) -> dict:
    """Scenes ``lo:hi`` of each task through its evaluator (one-scene val batches); the results."""
    models = dict(semseg=SemSegModel(), instance=InsSegModel(), detection=DetectionModel())
    samples = dict(semseg=[semseg_val_sample(s) for s in semseg_scenes()],
                   instance=[instance_val_sample(s) for s in instance_scenes()],
                   detection=[detection_sample(s) for s in detection_scenes()])
    results = {}
    with torch.no_grad():
        for task, evaluator in evaluator_set.items():
            for sample in samples[task][lo:hi]:
                batch = point_collate_fn([sample])
                evaluator.process(batch, models[task](batch))
            metrics = evaluator.evaluate()
            results[task] = dict(metrics=metrics, scenes=evaluator.num_scenes, loss=evaluator.mean_loss)
    return results


def rank_worker(split: tuple[int, int], out_path: str) -> None:
    import torch.distributed as dist

    rank = dist.get_rank()
    bounds = [0, split[0], split[0] + split[1]]
    results = feed(evaluators(), bounds[rank], bounds[rank + 1])
    sums, records = reduce_across_ranks({"a": torch.full((2, 3), rank + 1, dtype=torch.int64)},
                                        {"r": [f"{rank}.{i}" for i in range(split[rank])]})
    results["reduce"] = dict(a=sums["a"], r=records["r"], gathered=all_gather_list(range(split[rank])))
    with open(f"{out_path}.{rank}", "wb") as handle:
        pickle.dump(results, handle)


@pytest.mark.parametrize("split", [(3, 0), (1, 2)], ids=["rank1-empty", "uneven"])
def test_two_gloo_ranks_equal_one_process(tmp_path, split):
    launch(rank_worker, 2, args=(split, str(tmp_path / "out")), timeout=datetime.timedelta(seconds=60))
    ranks = []
    for r in range(2):
        with open(f"{tmp_path / 'out'}.{r}", "rb") as handle:
            ranks.append(pickle.load(handle))
    single = feed(evaluators(), 0, 3)
    for result in ranks:
        for task in ("semseg", "instance", "detection"):
            np.testing.assert_equal(result[task]["metrics"], single[task]["metrics"])
            assert result[task]["scenes"] == single[task]["scenes"] == 3
            assert result[task]["loss"] == pytest.approx(single[task]["loss"], rel=1e-12)
        reduced = result["reduce"]
        assert reduced["a"].dtype == torch.int64 and reduced["a"].tolist() == [[3, 3, 3], [3, 3, 3]]
        assert reduced["r"] == [f"0.{i}" for i in range(split[0])] + [f"1.{i}" for i in range(split[1])]
        assert reduced["gathered"] == list(range(split[0])) + list(range(split[1]))


def test_single_process_reduce_and_empty_evaluators():
    sums = {"a": torch.ones(2, dtype=torch.float64)}
    reduced, records = reduce_across_ranks(sums, {"r": (1, 2)})
    reduced["a"] += 1
    assert sums["a"].tolist() == [1.0, 1.0] and records == {"r": [1, 2]}  # inputs untouched
    for task, evaluator in evaluators().items():
        metrics = evaluator.evaluate()  # nothing processed: NaN metrics, no error
        assert evaluator.num_scenes == 0 and math.isnan(evaluator.mean_loss), task
        assert all(math.isnan(v) for v in evaluator.scalars(metrics).values()), task


def test_to_device_moves_nested_tensors_and_keeps_the_rest():
    batch = dict(a=torch.ones(2), names=["x", "y"], nested=dict(b=torch.zeros(1)), pair=(torch.ones(1), 3))
    moved = to_device(batch, torch.device("meta"))
    assert moved["a"].device.type == "meta" and moved["nested"]["b"].device.type == "meta"
    assert moved["names"] == ["x", "y"] and isinstance(moved["pair"], tuple) and moved["pair"][1] == 3
    assert moved["pair"][0].device.type == "meta" and batch["a"].device.type == "cpu"
