"""Configs are data: no file under configs/ imports anything, reading a config imports no torch, every config
resolves to plain values, and the shipped configs hold exactly what the package's pipeline builders and class
tables give (the data copies in configs/_base_/ cannot drift from the code)."""

import ast
import glob
import os
import subprocess
import sys

import pytest

from pointcept.datasets.meta import demo, s3dis, scannet, sunrgbd
from pointcept.datasets.pipelines import (
    detection_data,
    groupcontrast_pretrain_pipeline,
    insseg_data,
    msc_pretrain_pipeline,
    pointcontrast_pretrain_pipeline,
    semseg_data,
)
from pointcept.utils.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG_DIR = os.path.join(ROOT, "configs")
ALL_FILES = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(CONFIG_DIR, "**", "*.py"), recursive=True))
CONFIGS = [p for p in ALL_FILES if "_base_" not in p]
CODE_CALLS = {"__import__", "exec", "eval", "open", "compile", "globals", "locals", "getattr"}


def load(name: str) -> Config:
    return Config.fromfile(os.path.join(CONFIG_DIR, name))


def test_configs_were_found():
    assert len(CONFIGS) >= 70 and len(ALL_FILES) > len(CONFIGS)


@pytest.mark.parametrize("path", ALL_FILES)
def test_config_file_imports_nothing(path):
    tree = ast.parse(open(os.path.join(ROOT, path)).read(), path)
    imports = [node.lineno for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert not imports, f"{path}: import statements at lines {imports}; configs are data (see configs/_base_/)"
    calls = [node.func.id for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CODE_CALLS]
    assert not calls, f"{path}: calls {calls}; configs are data"


def test_reading_every_config_imports_no_torch():
    """One fresh interpreter reads every config; neither the loader nor any config brings torch in, and a
    config's own execution adds no module at all."""
    script = (
        "import sys\n"
        "from pointcept.utils.config import Config\n"
        "assert 'torch' not in sys.modules, 'pointcept.utils.config imports torch'\n"
        "for path in sys.argv[1:]:\n"
        "    before = set(sys.modules)\n"
        "    Config.fromfile(path)\n"
        "    added = sorted(set(sys.modules) - before)\n"
        "    assert not added, f'{path} imported {added}'\n"
        "assert 'torch' not in sys.modules\n"
    )
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-c", script, *CONFIGS], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("path", CONFIGS)
def test_config_resolves_to_plain_values_and_dumps_them(path, tmp_path):
    cfg = Config.fromfile(os.path.join(ROOT, path))
    text = cfg.pretty_text()
    assert "${" not in text and not any(key.startswith("_") for key in cfg), path
    cfg.dump(tmp_path / "config.py")  # what default_setup writes: reloads to the same values
    assert Config.fromfile(tmp_path / "config.py") == cfg


def test_class_names_are_the_meta_tables(tmp_path):
    names = {"_scannet20_names": scannet.CLASS_NAMES_20, "_scannet200_names": scannet.CLASS_NAMES_200,
             "_scannet_detection_names": scannet.SCANNET_DETECTION_CLASS_NAMES, "_s3dis_names": s3dis.S3DIS_CLASS_NAMES,
             "_sunrgbd_names": sunrgbd.SUNRGBD_CLASS_NAMES, "_demo_names": demo.DEMO_CLASS_NAMES,
             "_demo_detection_names": demo.DEMO_DETECTION_CLASS_NAMES}
    table = os.path.join(CONFIG_DIR, "_base_", "datasets", "class_names.py")
    (tmp_path / "names.py").write_text(f"_base_ = [{table!r}]\nnames = dict(\n"
                                       + "".join(f"    {k[1:]}='${{{k}}}',\n" for k in names) + ")\n")
    cfg = Config.fromfile(tmp_path / "names.py")
    assert cfg.names == {k[1:]: list(v) for k, v in names.items()}


# ---------------------------------------------------------- the data blocks are what the builders return
REAL = "../shared/data/scannet-real"
REAL_ARGS = dict(estimate_normals=True, cache=True)
SEGMENTATION = {  # config: (names, builder arguments of its data block)
    "scannet/semseg-spunet-v1m1-0-base.py": (scannet.CLASS_NAMES_20, semseg_data, ("ScanNetDataset", "data/scannet", 0.02), {}),
    "scannet200/semseg-spunet-v1m1-0-base.py": (scannet.CLASS_NAMES_200, semseg_data, ("ScanNet200Dataset", "data/scannet", 0.02), {}),
    "s3dis/semseg-spunet-v1m1-0-base.py": (s3dis.S3DIS_CLASS_NAMES, semseg_data, ("S3DISDataset", "data/s3dis", 0.05), {}),
    "demo/semseg-spunet-v1m1-0-base.py": (demo.DEMO_CLASS_NAMES, semseg_data, ("DemoDataset", "data/demo", 0.05),
                                          dict(point_max=40000, test_augmentations=False)),
    "scannet/semseg-spunet-v1m1-2-real-cpu.py": (scannet.CLASS_NAMES_20, semseg_data, ("ScanNetDataset", REAL, 0.05),
                                                 dict(test_augmentations=False, dataset_args=REAL_ARGS)),
    "scannet/insseg-pointgroup-v1m1-0-spunet-base.py": (scannet.CLASS_NAMES_20, insseg_data,
                                                        ("ScanNetDataset", "data/scannet", 0.02, (-1, 0, 1)), {}),
    "scannet200/insseg-pointgroup-spunet-0-base.py": (scannet.CLASS_NAMES_200, insseg_data,
                                                      ("ScanNet200Dataset", "data/scannet", 0.02, (-1, 0, 2)), {}),
    "s3dis/insseg-pointgroup-v1m1-0-spunet-base.py": (s3dis.S3DIS_CLASS_NAMES, insseg_data,
                                                      ("S3DISDataset", "data/s3dis", 0.05, (-1,)), {}),
    "demo/insseg-pointgroup-spunet-v1m1-0-base.py": (demo.DEMO_CLASS_NAMES, insseg_data,
                                                     ("DemoDataset", "data/demo", 0.05, (-1, 0, 1)), dict(point_max=40000)),
    "scannet/insseg-pointgroup-spunet-v1m1-2-real-cpu.py": (scannet.CLASS_NAMES_20, insseg_data,
                                                            ("ScanNetDataset", REAL, 0.05, (-1, 0, 1)),
                                                            dict(dataset_args=REAL_ARGS)),
}
SCANNET_BOXES = dict(flip_axes=("x", "y"), rotate=1 / 36, scale=(0.85, 1.15), axis_aligned=True)
SUNRGBD_BOXES = dict(flip_axes=("x",), rotate=1 / 6, scale=(0.85, 1.15))
SUNRGBD_ARGS = dict(estimate_normals=True, require=("point_votes",))
DETECTION = {
    "scannet/detection-votenet-spunet-v1m1-0-base.py": (
        scannet.SCANNET_DETECTION_CLASS_NAMES, ("ScanNetDetectionDataset", "data/scannet", 0.02), dict(augment=SCANNET_BOXES)),
    "scannet/detection-votenet-spunet-v1m1-2-real-cpu.py": (
        scannet.SCANNET_DETECTION_CLASS_NAMES, ("ScanNetDetectionDataset", REAL, 0.05),
        dict(augment=SCANNET_BOXES, dataset_args=REAL_ARGS)),
    "sunrgbd/detection-votenet-spunet-v1m1-0-base.py": (
        sunrgbd.SUNRGBD_CLASS_NAMES, ("SUNRGBDDataset", "data/sunrgbd", 0.02),
        dict(votes=True, augment=SUNRGBD_BOXES, dataset_args=SUNRGBD_ARGS)),
    "sunrgbd/detection-votenet-spunet-v1m1-2-real-cpu.py": (
        sunrgbd.SUNRGBD_CLASS_NAMES, ("SUNRGBDDataset", "../shared/data/sunrgbd-votenet", 0.05),
        dict(votes=True, augment=SUNRGBD_BOXES, dataset_args=dict(SUNRGBD_ARGS, cache=True))),
    "demo/detection-votenet-spunet-v1m1-0-base.py": (
        demo.DEMO_DETECTION_CLASS_NAMES, ("DemoDetectionDataset", "data/demo", 0.1),
        dict(augment=dict(flip_axes=("x", "y"), rotate=1 / 6, scale=(0.9, 1.1)))),
}
FULL, CPU = dict(grid_size=0.02, crop_ratio=0.6, match_radius=0.03), dict(grid_size=0.05, crop_ratio=0.6, match_radius=0.05)
PRETRAINING = {  # config: the builder call of its data.train.transform
    "scannet/pretrain-groupcontrast-v1m1-0-spunet-base.py": (groupcontrast_pretrain_pipeline, FULL),
    "scannet/pretrain-groupcontrast-v1m1-3-real-cpu.py": (groupcontrast_pretrain_pipeline, CPU),
    "demo/pretrain-groupcontrast-v1m1-0-spunet-base.py": (groupcontrast_pretrain_pipeline, CPU),
    "scannet/pretrain-msc-v1m1-0-spunet-base.py": (msc_pretrain_pipeline, FULL),
    "scannet/pretrain-msc-v1m1-3-real-cpu.py": (msc_pretrain_pipeline, CPU),
    "demo/pretrain-msc-v1m1-0-spunet-base.py": (msc_pretrain_pipeline, CPU),
    "scannet/pretrain-msc-v1m1-1-spunet-pointcontrast.py": (pointcontrast_pretrain_pipeline,
                                                            dict(FULL, grid_size=0.025, feat_keys=("color",))),
    "scannet/pretrain-msc-v1m2-0-spunet-csc.py": (pointcontrast_pretrain_pipeline,
                                                  dict(FULL, grid_size=0.025, feat_keys=("color",))),
    "scannet/pretrain-msc-v1m1-4-real-cpu-pointcontrast.py": (pointcontrast_pretrain_pipeline,
                                                              dict(CPU, feat_keys=("color", "normal"))),
    "scannet/pretrain-msc-v1m2-3-real-cpu-csc.py": (pointcontrast_pretrain_pipeline, dict(CPU, feat_keys=("color", "normal"))),
    "demo/pretrain-msc-v1m1-1-spunet-pointcontrast.py": (pointcontrast_pretrain_pipeline,
                                                         dict(CPU, feat_keys=("color", "normal"))),
    "demo/pretrain-msc-v1m2-0-spunet-csc.py": (pointcontrast_pretrain_pipeline, dict(CPU, feat_keys=("color", "normal"))),
}


@pytest.mark.parametrize("name", sorted(SEGMENTATION))
def test_segmentation_data_block_is_the_builders(name):
    names, builder, args, kwargs = SEGMENTATION[name]
    expected = dict(num_classes=len(names), ignore_index=-1, names=list(names), **builder(*args, **kwargs))
    assert load(name).data.to_dict() == expected


@pytest.mark.parametrize("name", sorted(DETECTION))
def test_detection_data_block_is_the_builders(name):
    names, args, kwargs = DETECTION[name]
    expected = dict(num_classes=len(names), names=list(names), **detection_data(*args, **kwargs))
    assert load(name).data.to_dict() == expected


@pytest.mark.parametrize("name", sorted(PRETRAINING))
def test_pretraining_views_are_the_builders(name):
    builder, kwargs = PRETRAINING[name]
    assert load(name).data.train.to_dict()["transform"] == builder(**kwargs)


# ------------------------------------------------ key blocks, as the configs wrote them before issue 13
SGD_PRETRAIN = dict(type="SGD", lr=0.1, momentum=0.8, weight_decay=0.0001, nesterov=True)
KEY_BLOCKS = {
    "scannet/pretrain-groupcontrast-v1m1-0-spunet-base.py": dict(
        model=dict(type="GC-v1m1", backbone=dict(type="SpUNet-v1m1", in_channels=6, num_classes=0),
                   backbone_out_channels=96, projector_hidden=256, group_dim=128, contrast_dim=128, num_prototypes=32,
                   num_samples=2048, tau_s=0.1, tau_t=0.07, tau=0.4, group_loss_weight=1.0, contrast_loss_weight=1.0,
                   positive="group", informative=True, predictor=True, semantic_aware=True, confidence=True,
                   centering=True, sharpening=True, center_momentum=0.9, teacher_momentum=0.996,
                   teacher_momentum_end=1.0),
        optimizer=SGD_PRETRAIN, scheduler=dict(type="CosineAnnealingLR", warmup_epochs=12),
    ),
    "scannet/semseg-spunet-v1m1-0-base.py": dict(
        model=dict(type="DefaultSegmentor",
                   backbone=dict(type="SpUNet-v1m1", in_channels=6, num_classes=20,
                                 channels=(32, 64, 128, 256, 256, 128, 96, 96), layers=(2, 3, 4, 6, 2, 2, 2, 2)),
                   criteria=[dict(type="CrossEntropyLoss", loss_weight=1.0, ignore_index=-1)]),
        optimizer=dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True),
        scheduler=dict(type="CosineAnnealingLR", warmup_epochs=40, warmup_start_factor=0.0),
    ),
    "scannet/insseg-pointgroup-v1m1-0-spunet-base.py": dict(
        model=dict(type="PG-v1m1",
                   backbone=dict(type="SpUNet-v1m1", in_channels=6, num_classes=0,
                                 channels=(32, 64, 128, 256, 256, 128, 96, 96), layers=(2, 3, 4, 6, 2, 2, 2, 2)),
                   backbone_out_channels=96, semantic_num_classes=20, segment_ignore_index=(-1, 0, 1),
                   cluster_radius=0.03, cluster_min_points=100),
        optimizer=dict(type="SGD", lr=0.1, momentum=0.9, weight_decay=0.0001, nesterov=True),
        scheduler=dict(type="PolyLR"),
    ),
    "scannet/pretrain-msc-v1m2-0-spunet-csc.py": dict(
        model=dict(type="MSC-v1m2", backbone=dict(type="SpUNet-v1m1", in_channels=3, num_classes=0),
                   backbone_in_channels=3, backbone_out_channels=96, mask_grid_size=0.1, mask_rate=0.0, mask_token=True,
                   view1_mix_prob=0.0, view2_mix_prob=0.0, matching_max_k=8, matching_max_radius=0.03,
                   matching_max_pair=8192, nce_t=0.4, negatives="scene", unmask_matched_pairs=False,
                   contrast_weight=1.0, reconstruct_weight=0.0, reconstruct_color=False, reconstruct_normal=False,
                   partitions=4, r1=2.0, r2=20.0, csc_reduction="pointcept"),
        optimizer=SGD_PRETRAIN,
        scheduler=dict(type="OneCycleLR", max_lr=0.1, pct_start=0.01, anneal_strategy="cos", div_factor=10.0,
                       final_div_factor=10000.0),
    ),
}


@pytest.mark.parametrize("name", sorted(KEY_BLOCKS))
def test_key_model_and_optimizer_blocks(name):
    cfg = load(name)
    assert {key: cfg[key] for key in KEY_BLOCKS[name]} == KEY_BLOCKS[name]


def test_detection_model_reads_the_config_mean_sizes():
    for name in DETECTION:
        cfg = load(name)
        assert cfg.model.mean_sizes == cfg.mean_sizes and len(cfg.mean_sizes) == cfg.data.num_classes, name
