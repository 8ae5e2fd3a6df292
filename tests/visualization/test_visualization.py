"""Pictures of GroupContrast: colours, PLY, PNG, the per-point maps, the tensorboard hook and the CLI."""

from __future__ import annotations

import runpy
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from pointcept.datasets.collate import point_collate_fn
from pointcept.datasets.demo import generate_room, write_demo_dataset
from pointcept.datasets.pipelines import groupcontrast_pretrain_pipeline
from pointcept.datasets.preprocessing.ply import read_ply
from pointcept.datasets.transforms import Compose
from pointcept.engines.hooks import HOOKS
from pointcept.models import build_model
from pointcept.utils.config import Config
from pointcept.visualization import colors, groupcontrast as gcvis
from pointcept.visualization.cli import COMMANDS, main
from pointcept.visualization.ply import write_ply
from pointcept.visualization.render import Panel, render_array, render_panels

REPO = Path(__file__).resolve().parents[2]
TINY_BACKBONE = dict(type="SpUNet-v1m1", in_channels=6, num_classes=0, base_channels=8,
                     channels=(8, 16, 16, 16, 16, 16, 16, 16), layers=(1,) * 8)
TINY_GC = dict(type="GC-v1m1", backbone=TINY_BACKBONE, backbone_out_channels=16, projector_hidden=16,
               group_dim=8, contrast_dim=8, num_prototypes=6, num_samples=64)
GRID = 0.1
CONFIG_TEXT = f"""
from pointcept.datasets.pipelines import groupcontrast_pretrain_pipeline as _pipeline
model = {TINY_GC!r}
data = dict(train=dict(type="DemoDataset", split="train", data_root="unused",
                       transform=_pipeline(grid_size={GRID}, match_radius={GRID})))
"""


def tiny_model(seed: int = 0) -> torch.nn.Module:
    """A tiny GC model whose teacher has spread-out prototypes and a non-zero centre (varied groups)."""
    torch.manual_seed(seed)
    model = build_model(TINY_GC)
    with torch.no_grad():
        model.center.copy_(torch.randn(6) * 0.05)
    return model.eval()


@pytest.fixture(scope="module")
def room() -> dict:
    return generate_room(3, points_per_m2=60)


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    return tiny_model()


def spec() -> gcvis.InputSpec:
    return gcvis.InputSpec(grid_size=GRID, feat_keys=("color", "normal"))


# ------------------------------------------------------------------------------------------ colours, files
def test_label_colours_are_deterministic_distinct_and_grey_for_unlabelled():
    state = np.random.get_state()
    labels = np.arange(300)
    first = colors.label_colors(labels)
    assert first.dtype == np.uint8 and first.shape == (300, 3)
    np.testing.assert_array_equal(first, colors.label_colors(labels))
    assert len(np.unique(first, axis=0)) == 300
    head = first[:32].astype(int)
    distance = np.sqrt(((head[:, None] - head[None]) ** 2).sum(-1)) + np.eye(32) * 1e9
    assert distance.min() > 40  # the first labels (groups, prototypes) are far apart
    # a label's colour is its own, whatever other labels are present
    np.testing.assert_array_equal(colors.label_colors(np.array([57, 3, 57])), first[[57, 3, 57]])
    assert tuple(colors.label_colors(np.array([-1]))[0]) == colors.UNLABELLED_COLOR
    assert not (first == colors.UNLABELLED_COLOR).all(axis=1).any()
    assert np.all(np.random.get_state()[1] == state[1])


def test_scalar_colours_follow_the_range_and_grey_nan():
    values = np.array([-1.0, 0.0, 1.0, np.nan, 5.0])
    out = colors.scalar_colors(values, -1.0, 1.0, cmap="coolwarm")
    assert out.dtype == np.uint8 and out.shape == (5, 3)
    np.testing.assert_array_equal(out[2], out[4])  # clipped above vmax
    assert tuple(out[3]) == colors.UNLABELLED_COLOR
    assert out[0, 2] > out[0, 0] and out[2, 0] > out[2, 2]  # blue low, red high


def test_ply_round_trip_through_the_repository_reader(tmp_path):
    rng = np.random.default_rng(0)
    coord = rng.normal(size=(257, 3)).astype(np.float32)
    color = rng.integers(0, 256, (257, 3)).astype(np.uint8)
    group = rng.integers(-1, 6, 257)  # int64 -> int32
    confidence = rng.random(257).astype(np.float32)
    path = write_ply(tmp_path / "cloud.ply", coord, color, {"group": group, "confidence": confidence})
    assert not list(tmp_path.glob(".*.tmp"))
    ply = read_ply(path)
    assert len(ply["vertices"]) == 257
    np.testing.assert_array_equal(ply["vertices"], coord)
    np.testing.assert_array_equal(ply["colors"], color)
    np.testing.assert_array_equal(ply["elements"]["vertex"]["group"], group)
    np.testing.assert_array_equal(ply["elements"]["vertex"]["confidence"], confidence)
    assert path.read_bytes().startswith(b"ply\nformat binary_little_endian 1.0\n")


def test_png_has_one_panel_per_column_and_one_view_per_row(tmp_path, room):
    import matplotlib.image

    coord = room["coord"]
    panels = [Panel(colors.rgb_colors(room["color"], len(coord)), "RGB"),
              Panel(colors.label_colors(room["superpoint"]), "segments", mark=5)]
    path = render_panels(tmp_path / "sub" / "two.png", coord, panels, panel_px=120, title="room")
    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (240, 240)
    assert image[..., :3].std() > 0.05  # not blank
    top = render_array(coord, panels[:1], views=("top",), panel_px=100)
    assert top.shape == (100, 100, 3) and top.dtype == np.uint8


# ------------------------------------------------------------------------------------------ the maps
@pytest.mark.parametrize("bn_stats", ["running", "batch"])
def test_groups_are_constant_per_superpoint_and_match_the_training_formula(model, room, bn_stats):
    maps = gcvis.analyze_scene(model, room, spec(), query_index=17, bn_stats=bn_stats)
    superpoint = room["superpoint"]
    assert maps.group.shape == superpoint.shape and (maps.group >= 0).all()
    for s in np.unique(superpoint):
        assert len(np.unique(maps.group[superpoint == s])) == 1
        assert len(np.unique(maps.confidence[superpoint == s])) == 1
    if bn_stats == "batch":  # a random model's eval-mode features are nearly constant: one group
        assert len(np.unique(maps.group)) > 1
    assert (maps.confidence >= 1 / 6 - 1e-6).all() and (maps.confidence <= 1 + 1e-6).all()
    assert maps.similarity[17] == pytest.approx(1.0, abs=1e-5)
    assert (maps.similarity >= -1).all() and (maps.similarity <= 1).all()

    # Eq. 1 + Eq. 3 by hand for one segment: mean of normalised g features over its voxels, centred,
    # sharpened softmax against the teacher prototypes
    inputs, inverse = gcvis.prepare_scene(room, spec())
    with torch.no_grad(), gcvis.batch_norm_statistics(model.teacher, use_batch=bn_stats == "batch"):
        z = model.teacher.group_projector(model.teacher.backbone(inputs))
    for point in np.unique(maps.group, return_index=True)[1]:  # one segment of every group
        voxels = torch.from_numpy(np.unique(inverse[superpoint == superpoint[point]]))
        z_s = F.normalize(z[voxels], dim=-1).mean(0, keepdim=True)
        logits = F.normalize(z_s, dim=-1) @ F.normalize(model.teacher.prototypes, dim=-1).t()
        K = F.softmax((logits - model.center) / model.tau_t, dim=-1)[0]
        assert maps.group[point] == int(K.argmax())
        assert maps.confidence[point] == pytest.approx(float(K.max()), abs=1e-5)


def test_similarity_to_query_is_the_cosine():
    features = torch.tensor([[1.0, 0.0], [0.0, 2.0], [-3.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(gcvis.similarity_to_query(features, 0), [1, 0, -1, 2**-0.5], atol=1e-6)


def test_batch_statistics_leave_the_model_untouched(model, room):
    before = {k: v.clone() for k, v in model.state_dict().items()}
    model.train()
    maps = gcvis.analyze_scene(model, room, spec(), bn_stats="batch", feature="contrast")
    assert model.training  # the mode it came in
    model.eval()
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert np.isfinite(maps.confidence).all()


def test_points_without_a_segment_get_no_group(model, room):
    scene = dict(room, superpoint=np.where(room["superpoint"] % 3 == 0, -1, room["superpoint"]))
    maps = gcvis.analyze_scene(model, scene, spec())
    none = scene["superpoint"] < 0
    assert (maps.group[none] == -1).all() and np.isnan(maps.confidence[none]).all()
    assert (maps.group[~none] >= 0).all()


def test_input_spec_is_read_from_a_two_view_config(tmp_path):
    path = tmp_path / "cfg.py"
    path.write_text(CONFIG_TEXT)
    assert gcvis.input_spec(Config.fromfile(path)) == gcvis.InputSpec(GRID, ("color", "normal"))


# ------------------------------------------------------------------------------------------ the hook
class FakeWriter:
    def __init__(self):
        self.images = []

    def add_image(self, tag, image, step, dataformats="CHW"):
        self.images.append((tag, image, step, dataformats))


class FakeDataset:
    def __init__(self, scene):
        self.scene = scene

    def get_data(self, index):
        return {k: v.copy() for k, v in self.scene.items()}


class FakeTrainer:
    def __init__(self, model, room, batch, max_epoch=3):
        self.model = model
        pipeline = groupcontrast_pretrain_pipeline(grid_size=GRID)
        self.cfg = Config(dict(data=dict(train=dict(transform=pipeline))))
        self.writer = FakeWriter()
        self.epoch = 0
        self.max_epoch = max_epoch
        self.comm_info = {"input_dict": batch}
        self.train_loader = type("Loader", (), {"dataset": FakeDataset(room)})()


@pytest.fixture(scope="module")
def view_batch(room):
    pipeline = Compose(groupcontrast_pretrain_pipeline(grid_size=GRID, match_radius=GRID))
    data = {k: room[k] for k in ("coord", "color", "normal", "superpoint")}
    data["color"] = data["color"].astype(np.float32)
    return point_collate_fn([pipeline(dict(data), np.random.default_rng(0)) for _ in range(2)])


@pytest.mark.parametrize("source", ["batch", "dataset"])
def test_hook_logs_a_panel_without_touching_rng_or_mode(source, room, view_batch):
    model = tiny_model().train()
    trainer = FakeTrainer(model, room, view_batch)
    hook = HOOKS.build(dict(type="GroupContrastVisualizer", interval=2, source=source, panel_px=64))
    hook.bind(trainer)
    torch.manual_seed(123)
    np.random.seed(123)
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    for epoch in range(3):
        trainer.epoch = epoch
        hook.after_epoch()
    assert [step for _, _, step, _ in trainer.writer.images] == [2, 3]  # every 2nd epoch and the last
    tag, image, _, dataformats = trainer.writer.images[0]
    assert tag == "groupcontrast" and dataformats == "HWC"
    assert image.dtype == np.uint8 and image.shape == (64, 5 * 64, 3)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])
    assert model.training and model.teacher.training


def test_hook_is_silent_without_a_writer(room, view_batch):
    trainer = FakeTrainer(tiny_model(), room, view_batch)
    trainer.writer = None
    hook = HOOKS.build(dict(type="GroupContrastVisualizer"))
    hook.bind(trainer)
    hook.after_epoch()  # nothing to write to, nothing computed


# ------------------------------------------------------------------------------------------ the CLI
@pytest.fixture(scope="module")
def demo_scene(tmp_path_factory) -> Path:
    root = write_demo_dataset(tmp_path_factory.mktemp("demo"), num_train=1, num_val=0, points_per_m2=60)
    return root / "train" / "room_0000"


def test_cli_groupcontrast_writes_pictures_and_ply_of_the_saved_weights(
    tmp_path, demo_scene, monkeypatch, capsys
):
    import matplotlib.image

    config = tmp_path / "gc.py"
    config.write_text(CONFIG_TEXT)
    model = tiny_model(seed=5)
    torch.save({"state_dict": model.state_dict(), "epoch": 1}, tmp_path / "model_last.pth")
    out = tmp_path / "out"
    argv = ["visualize.py", "groupcontrast", "--config-file", str(config), "--weight",
            str(tmp_path / "model_last.pth"), "--scene", str(demo_scene), "--query-index", "11",
            "--out", str(out), "--panel-px", "80", "--views", "top"]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(REPO / "tools" / "visualize.py"), run_name="__main__")
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out.split()
    names = ["rgb", "segments", "groups", "confidence", "similarity"]
    expected = [out / f"room_0000_{k}.png" for k in ["groupcontrast", *names]]
    expected += [out / f"room_0000_{k}.ply" for k in names]
    assert sorted(printed) == sorted(map(str, expected))
    assert matplotlib.image.imread(out / "room_0000_groupcontrast.png").shape[:2] == (80, 400)
    assert matplotlib.image.imread(out / "room_0000_groups.png").shape[:2] == (80, 80)
    # the PLY holds the maps of the saved weights (not of a fresh random model)
    scene = {k: np.load(demo_scene / f"{k}.npy") for k in ("coord", "color", "normal", "superpoint")}
    maps = gcvis.analyze_scene(model, scene, spec(), query_index=11)
    vertex = read_ply(out / "room_0000_groups.ply")["elements"]["vertex"]
    assert len(vertex["x"]) == len(scene["coord"])
    np.testing.assert_array_equal(vertex["group"], maps.group)
    np.testing.assert_allclose(vertex["similarity"], maps.similarity, atol=1e-6)
    assert vertex["similarity"][11] == pytest.approx(1.0, abs=1e-5)


def test_cli_scene_computes_missing_superpoints(tmp_path, demo_scene, capsys):
    scene = tmp_path / "bare_scene"
    scene.mkdir()
    for key in ("coord", "color"):
        shutil.copy(demo_scene / f"{key}.npy", scene / f"{key}.npy")
    assert main(["scene", "--scene", str(scene), "--color-by", "superpoint", "--out", str(tmp_path),
                 "--panel-px", "60", "--views", "top"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "bare_scene_superpoint.png")
    assert (tmp_path / "bare_scene_superpoint.png").is_file()
    assert {"groupcontrast", "scene"} <= set(COMMANDS)
