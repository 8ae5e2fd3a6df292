"""Loading weights: every checkpoint layout fills the backbone or training stops; files load with
weights_only=True (a crafted file runs no code; truncated/empty files name the path); stale temp files of an
interrupted save are removed at the start of training."""

from __future__ import annotations

import os
import random
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch

from pointcept.engines.checkpoint import save_checkpoint
from pointcept.engines.hooks import CheckpointLoader, CheckpointSaver
from pointcept.engines.train import Trainer
from pointcept.models import build_model
from pointcept.models.weights import TASK_HEAD_PREFIXES, BackboneLoadError, detect_backbone_prefix
from pointcept.utils.checkpoint_io import CheckpointLoadError, safe_torch_load
from pointcept.utils.config import Config
from pointcept.utils.seed import rng_state, set_rng_state

REPO = Path(__file__).resolve().parents[2]
FT_CONFIG = REPO / "configs" / "scannet" / "semseg-spunet-v1m1-4-ft-groupcontrast.py"
BACKBONE = dict(type="SpUNet-v1m1", in_channels=6, num_classes=0, base_channels=8,
                channels=(8, 16, 16, 16, 16, 16, 16, 16), layers=(1,) * 8)


def segmentor(num_classes: int = 13, **backbone) -> torch.nn.Module:
    return build_model(dict(type="DefaultSegmentor", backbone=dict(BACKBONE, num_classes=num_classes, **backbone),
                            criteria=[dict(type="CrossEntropyLoss", ignore_index=-1)]))


def random_state(module: torch.nn.Module, seed: int) -> "OrderedDict[str, torch.Tensor]":
    """``module``'s state dict with every tensor random, so a loaded tensor is told from a fresh one."""
    gen = torch.Generator().manual_seed(seed)
    out = OrderedDict()
    for key, value in module.state_dict().items():
        if value.is_floating_point():
            out[key] = torch.randn(value.shape, generator=gen)
        else:
            out[key] = torch.full_like(value, seed)
    return out


def backbone_state(seed: int, num_classes: int = 0) -> "OrderedDict[str, torch.Tensor]":
    """A tiny SpUNet backbone's state (keys without prefix, ``conv_input.0.weight`` ...)."""
    return random_state(build_model(dict(BACKBONE, num_classes=num_classes)), seed)


def prefixed(state, prefix: str) -> dict:
    return {prefix + k: v for k, v in state.items()}


STUDENT, TEACHER = 1, 2


def layout(name: str) -> tuple[object, dict]:
    """(object to torch.save, the backbone tensors the model must end up with) for each layout users have."""
    student = backbone_state(STUDENT)
    teacher = backbone_state(TEACHER)
    extras = {"student.group_projector.0.weight": torch.zeros(4, 16), "prototypes": torch.zeros(8, 4)}
    if name == "gc":  # this project's GroupContrast pretraining
        state = {**prefixed(teacher, "teacher.backbone."), **prefixed(student, "student.backbone."), **extras}
    elif name == "gc-ddp":
        state = prefixed({**prefixed(teacher, "teacher.backbone."), **prefixed(student, "student.backbone.")},
                         "module.")
    elif name in ("msc", "pc", "csc"):  # this project's MSC-framework pretraining (student only)
        state = {**prefixed(student, "student.backbone."), "student.color_head.weight": torch.zeros(3, 16)}
    elif name == "pointcept-pretrain-ddp":  # Pointcept's MSC/PC/CSC: self.backbone, saved under DDP
        state = {**prefixed(student, "module.backbone."), "module.mask_token": torch.zeros(1, 6),
                 "module.color_head.weight": torch.zeros(3, 16)}
    elif name == "pointcept-pretrain":
        state = {**prefixed(student, "backbone."), "mask_token": torch.zeros(1, 6)}
    elif name == "pointcept-finetuned":  # a 20-class semseg checkpoint, best metric a numpy scalar
        student = backbone_state(STUDENT, num_classes=20)
        return ({"epoch": 100, "state_dict": prefixed(student, "module.backbone."),
                 "best_metric_value": np.float64(0.75)}, student)
    elif name == "ours-finetuned":
        student = backbone_state(STUDENT, num_classes=20)
        return {"epoch": 3, "state_dict": prefixed(student, "backbone.")}, student
    elif name == "bare":
        return student, student
    else:
        raise AssertionError(name)
    return {"epoch": 1, "state_dict": state}, student


LAYOUTS = ["gc", "gc-ddp", "msc", "pc", "csc", "pointcept-pretrain-ddp", "pointcept-pretrain", "pointcept-finetuned",
           "ours-finetuned", "bare"]


class ListLogger:
    def __init__(self):
        self.lines: list[str] = []

    def info(self, message):
        self.lines.append(message)

    warning = error = info


class StubTrainer:
    """What CheckpointLoader / CheckpointSaver read of a trainer."""

    def __init__(self, cfg: Config, model: torch.nn.Module | None, save_path: Path):
        self.cfg, self.model, self.logger, self.weight_report = cfg, model, ListLogger(), None
        self.last_checkpoint_path = str(save_path / "model" / "model_last.pth")

    def resume_from(self, path):
        Trainer.resume_from(self, path)


def load_via_hook(model, weight, tmp_path, **cfg):
    trainer = StubTrainer(Config(dict(weight=str(weight), resume=False, **cfg)), model, tmp_path)
    hook = CheckpointLoader()
    hook.bind(trainer)
    hook.before_train()
    return trainer


def ft_config_options() -> dict:
    cfg = Config.fromfile(str(FT_CONFIG))
    return dict(weight_mapping=cfg.weight_mapping, weight_keep_unmapped=cfg.weight_keep_unmapped)


# ----------------------------------------------------------------------------------------------- layouts
@pytest.mark.parametrize("options", ["ft-groupcontrast-config", "defaults"])
@pytest.mark.parametrize("name", LAYOUTS)
def test_every_checkpoint_layout_fills_the_backbone(name, options, tmp_path):
    content, expected = layout(name)
    path = tmp_path / f"{name}.pth"
    torch.save(content, path)
    model = segmentor(num_classes=13)
    fresh = {k: v.clone() for k, v in model.state_dict().items()}
    cfg = ft_config_options() if options == "ft-groupcontrast-config" else {}
    trainer = load_via_hook(model, path, tmp_path, **cfg)
    state = model.state_dict()
    for key, value in expected.items():
        if key.startswith(TASK_HEAD_PREFIXES):  # 20-class head into a 13-class model: skipped, excused
            assert torch.equal(state["backbone." + key], fresh["backbone." + key]), key
            continue
        assert torch.equal(state["backbone." + key], value), f"{name}: backbone.{key} not the student's"
    report = trainer.weight_report
    assert len(report.loaded) == len([k for k in expected if not k.startswith(TASK_HEAD_PREFIXES)])
    assert set(report.excused) == {"backbone.final.weight", "backbone.final.bias"}
    assert any("Weight report" in line for line in trainer.logger.lines)


def test_the_teacher_never_wins_over_the_student(tmp_path):
    student, teacher = backbone_state(STUDENT), backbone_state(TEACHER)
    del student["conv_input.0.weight"]  # the teacher now has more matching keys
    keys = list(prefixed(teacher, "teacher.backbone.")) + list(prefixed(student, "module.student.backbone."))
    prefix, hits, counts = detect_backbone_prefix(keys, backbone_keys=teacher.keys())
    assert (prefix, hits) == ("student.backbone.", len(student))
    assert counts["teacher.backbone."] == len(teacher)
    path = tmp_path / "gc.pth"
    torch.save({"state_dict": {**prefixed(teacher, "teacher.backbone."), **prefixed(student, "student.backbone.")}},
               path)
    model = segmentor()
    with pytest.raises(BackboneLoadError, match=r"not loaded \(1\): backbone\.conv_input\.0\.weight"):
        load_via_hook(model, path, tmp_path)


def test_one_prefix_detection_shared_with_the_benchmark():
    from pointcept.benchmark import methods

    assert methods.detect_backbone_prefix is detect_backbone_prefix
    # a bare backbone state dict has no 'backbone.' component: found through the model's own key names
    assert detect_backbone_prefix(["conv_input.0.weight", "enc.0.x"], backbone_keys=["conv_input.0.weight"])[0] == ""


# ---------------------------------------------------------------------------------- incomplete backbones
def test_a_checkpoint_that_loads_nothing_stops_training(tmp_path):
    """The reported bug: a mapping that matches nothing loaded 0 tensors and trained from scratch."""
    path = tmp_path / "encoder.pth"
    torch.save({"state_dict": prefixed(backbone_state(STUDENT), "encoder.")}, path)
    with pytest.raises(BackboneLoadError, match=rf"{path}: found no backbone.*encoder\.conv_input"):
        load_via_hook(segmentor(), path, tmp_path, **ft_config_options())
    # another architecture under the right prefix: every tensor of another shape counts as not loaded
    other = tmp_path / "other.pth"
    wide = random_state(build_model(dict(BACKBONE, base_channels=12, channels=(12,) * 8)), 3)
    torch.save({"state_dict": prefixed(wide, "module.backbone.")}, other)
    model = segmentor()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    expected = (r"\d+ of \d+ backbone tensors loaded, 0 of them floating-point.*"
                r"backbone\.conv_input\.0\.weight \(checkpoint \(12, 5, 5, 5, 6\) vs model \(8, 5, 5, 5, 6\)\)")
    with pytest.raises(BackboneLoadError, match=expected):
        load_via_hook(model, other, tmp_path, weight_allow_partial=True)  # partial, yes; nothing, never
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())


def test_a_partial_backbone_needs_weight_allow_partial(tmp_path):
    student = backbone_state(STUDENT)
    partial = {k: v for k, v in student.items() if not k.startswith("enc.3.")}
    dropped = [f"backbone.{k}" for k in student if k.startswith("enc.3.")]  # in the model's order
    path = tmp_path / "partial.pth"
    torch.save({"state_dict": prefixed(partial, "module.backbone.")}, path)

    model = segmentor()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(BackboneLoadError, match=rf"not loaded \({len(dropped)}\): {dropped[0]}") as error:
        load_via_hook(model, path, tmp_path)
    assert error.value.missing == dropped and "weight_allow_partial" in str(error.value)
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())  # nothing written
    with pytest.raises(BackboneLoadError, match="backbone.enc.3."):
        load_via_hook(segmentor(), path, tmp_path, weight_allow_partial=["backbone.enc.2."])

    for allow in (True, ["backbone.enc.3."], "backbone.enc.3."):
        model = segmentor()
        trainer = load_via_hook(model, path, tmp_path, weight_allow_partial=allow)
        assert set(dropped) <= set(trainer.weight_report.excused)
        loaded = model.state_dict()["backbone.enc.0.block0.conv1.weight"]
        assert torch.equal(loaded, student["enc.0.block0.conv1.weight"])
    with pytest.raises(TypeError, match="weight_allow_partial must be"):
        load_via_hook(segmentor(), path, tmp_path, weight_allow_partial=3)


# ----------------------------------------------------------------------------------------- safe loading
class Pwn:
    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def crafted(path: Path, marker: Path) -> Path:
    torch.save({"epoch": 1, "state_dict": {"backbone.conv_input.0.weight": torch.zeros(1)}, "x": Pwn(marker)}, path)
    return path


def test_a_crafted_weight_or_resume_file_runs_no_code(tmp_path):
    marker = tmp_path / "pwned"
    weight = crafted(tmp_path / "evil.pth", marker)
    with pytest.raises(CheckpointLoadError, match=rf"{weight} was refused, nothing in it was run.*posix\.system"):
        load_via_hook(segmentor(), weight, tmp_path)
    (tmp_path / "exp" / "model").mkdir(parents=True)
    last = crafted(tmp_path / "exp" / "model" / "model_last.pth", marker)
    trainer = StubTrainer(Config(dict(weight=None, resume=True)), segmentor(), tmp_path / "exp")
    hook = CheckpointLoader()
    hook.bind(trainer)
    with pytest.raises(CheckpointLoadError, match=rf"resume checkpoint {last} was refused"):
        hook.before_train()
    assert not marker.exists()


@pytest.fixture
def trained(tiny_root, tmp_path, make_config, train_config):
    """A real trainer run (debug MLP, one epoch); before it, stale temp files of an interrupted save."""

    save = tmp_path / "exp"
    (save / "model").mkdir(parents=True)
    for name in (".model_last.pth.k3j_9x2a.tmp", ".model_best.pth.abcdefgh.tmp", "model_last.pth.best.tmp",
                 "notes.tmp", ".model_last.pth.tmp.keep", "model_last.pth.bak"):
        (save / "model" / name).write_bytes(b"partial")
    train_config(make_config(tiny_root, save, batch_size=2, epoch=1, eval_epoch=1))
    return save


def test_stale_checkpoint_temp_files_are_removed_at_the_start(trained):
    names = set(os.listdir(trained / "model"))
    kept = {"notes.tmp", ".model_last.pth.tmp.keep", "model_last.pth.bak"}  # not the saver's temp pattern
    assert names == {"model_last.pth", "model_best.pth"} | kept
    log = (trained / "train.log").read_text()
    line = next(line for line in log.splitlines() if "stale checkpoint temp file" in line)
    for name in (".model_last.pth.k3j_9x2a.tmp", ".model_best.pth.abcdefgh.tmp", "model_last.pth.best.tmp"):
        assert str(trained / "model" / name) in line
    # a run without a model folder yet: nothing to do, nothing logged, nothing created
    trainer = StubTrainer(Config(dict()), None, trained.parent / "new")
    hook = CheckpointSaver()
    hook.bind(trainer)
    hook.before_train()
    assert trainer.logger.lines == [] and not (trained.parent / "new").exists()


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def test_trainer_checkpoints_load_weights_only_and_restore_rng(trained, tmp_path):
    checkpoint = torch.load(trained / "model" / "model_last.pth", map_location="cpu", weights_only=True)
    assert isinstance(checkpoint["rng"][0]["numpy"]["key"], torch.Tensor)
    # save -> weights-only load -> restore continues every stream exactly
    seed_all(3)
    np.random.standard_normal()  # a cached gaussian in numpy's state
    save_checkpoint(str(tmp_path / "rng.pth"), rng=[rng_state()])
    expected = (random.random(), np.random.standard_normal(4).tolist(), torch.rand(3).tolist())
    seed_all(0)
    set_rng_state(safe_torch_load(tmp_path / "rng.pth")["rng"][0])
    assert (random.random(), np.random.standard_normal(4).tolist(), torch.rand(3).tolist()) == expected
    # checkpoints written before (numpy's state tuple with an array) still resume
    seed_all(5)
    legacy = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    torch.save({"rng": [legacy]}, tmp_path / "legacy.pth")
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    set_rng_state(safe_torch_load(tmp_path / "legacy.pth")["rng"][0])
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected


@pytest.mark.parametrize("damage", ["truncated", "empty"])
@pytest.mark.parametrize("use", ["weight", "resume"])
def test_truncated_or_empty_checkpoints_name_the_path(trained, tmp_path, damage, use):
    data = (trained / "model" / "model_last.pth").read_bytes()
    save = tmp_path / "broken"
    path = save / "model" / "model_last.pth"
    path.parent.mkdir(parents=True)
    path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"")
    expected = "truncated" if damage == "truncated" else r"is empty \(0 bytes\)"
    cfg = dict(weight=str(path), resume=False) if use == "weight" else dict(weight=None, resume=True)
    trainer = StubTrainer(Config(cfg), segmentor(), save)
    hook = CheckpointLoader()
    hook.bind(trainer)
    with pytest.raises(CheckpointLoadError, match=rf"{path} .*{expected}"):
        hook.before_train()


def test_resume_names_a_checkpoint_that_is_not_a_trainer_state(tmp_path):
    path = tmp_path / "exp" / "model" / "model_last.pth"
    path.parent.mkdir(parents=True)
    torch.save({"state_dict": {}}, path)
    with pytest.raises(CheckpointLoadError, match=rf"resume checkpoint {path} lacks \['optimizer'"):
        StubTrainer(Config(dict()), segmentor(), tmp_path / "exp").resume_from(str(path))


def test_resume_from_another_architecture_names_the_file(tmp_path):
    path = tmp_path / "exp" / "model" / "model_last.pth"
    path.parent.mkdir(parents=True)
    wide = segmentor(num_classes=20)  # every entry present, the head's shapes differ
    torch.save({"state_dict": wide.state_dict(), "optimizer": {}, "scheduler": {}, "epoch": 1, "global_iter": 1},
               path)
    with pytest.raises(CheckpointLoadError, match=rf"resume checkpoint {path} does not fit this config's model"):
        StubTrainer(Config(dict()), segmentor(), tmp_path / "exp").resume_from(str(path))


def test_a_directory_given_as_weight_is_named_as_a_directory(tmp_path):
    folder = tmp_path / "ckpt_dir"
    folder.mkdir()
    with pytest.raises(CheckpointLoadError, match=rf"weight {folder} is a directory: expected a checkpoint file"):
        safe_torch_load(folder, "weight")


# ------------------------------------------------------------------------------------------ where it lives
def test_the_old_engines_checkpoint_path_re_exports_the_moved_names():
    import pointcept.engines.checkpoint as old
    import pointcept.models.weights as weights
    import pointcept.utils.checkpoint_io as checkpoint_io
    import pointcept.utils.seed as seed

    for module in (weights, checkpoint_io):
        for name in module.__all__:
            assert getattr(old, name) is getattr(module, name), name
    assert (old.rng_state, old.set_rng_state) == (seed.rng_state, seed.set_rng_state)


def test_weight_loading_and_safe_reads_import_nothing_above_them():
    """models.weights imports only utils; the safe read and the RNG helpers import no project module; the
    datasets read ``la_file`` without the engines (function-level imports count too)."""
    import ast

    def project_imports(relative: str) -> set[str]:
        tree = ast.parse((REPO / relative).read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level], relative
        return {n for n in names if n == "pointcept" or n.startswith("pointcept.")}

    assert {m.split(".")[1] for m in project_imports("pointcept/models/weights.py")} == {"utils"}
    assert project_imports("pointcept/utils/checkpoint_io.py") == set()
    assert project_imports("pointcept/utils/seed.py") == set()
    assert not {m for m in project_imports("pointcept/datasets/preprocessing/data_efficient.py")
                if m.startswith("pointcept.engines")}
