"""``pointcept.datasets.meta``: one class-table module per data set, importing nothing from the project,
and every table still importable (the same object) from the dataset module that used to define it."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import pointcept.datasets.meta as meta
from pointcept.datasets import demo, detection, detection_demo, s3dis, scannet
from pointcept.datasets.meta import demo as meta_demo
from pointcept.datasets.meta import s3dis as meta_s3dis
from pointcept.datasets.meta import scannet as meta_scannet
from pointcept.datasets.meta import sunrgbd as meta_sunrgbd


def test_meta_modules_import_nothing_from_the_project():
    names = [m.name for m in pkgutil.iter_modules(meta.__path__)]
    assert {"demo", "s3dis", "scannet", "sunrgbd"} <= set(names)
    for path in Path(meta.__path__[0]).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0 and not (node.module or "").startswith("pointcept"), path
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("pointcept") for a in node.names), path


def test_old_import_paths_give_the_meta_tables():
    assert demo.DEMO_CLASS_NAMES is meta_demo.DEMO_CLASS_NAMES
    assert demo.DEMO_THING_CLASSES is meta_demo.DEMO_THING_CLASSES
    assert detection_demo.DEMO_DETECTION_CLASS_NAMES is meta_demo.DEMO_DETECTION_CLASS_NAMES
    assert s3dis.S3DIS_CLASS_NAMES is meta_s3dis.S3DIS_CLASS_NAMES
    assert s3dis.S3DIS_VAL_AREAS is meta_s3dis.S3DIS_VAL_AREAS
    assert detection.SUNRGBD_CLASS_NAMES is meta_sunrgbd.SUNRGBD_CLASS_NAMES
    assert detection.SCANNET_DETECTION_CLASS_NAMES is meta_scannet.SCANNET_DETECTION_CLASS_NAMES
    assert scannet.ScanNetDataset.CLASS_NAMES is meta_scannet.CLASS_NAMES_20


def test_tables_are_consistent():
    things = ("chair", "table", "sofa", "bed", "cabinet", "bookshelf", "lamp")
    assert meta_demo.DEMO_DETECTION_CLASS_NAMES == things
    assert meta_scannet.SCANNET_DETECTION_CLASS_NAMES == meta_scannet.CLASS_NAMES_20[2:]
    assert len(meta_s3dis.S3DIS_CLASS_NAMES) == 13 and len(meta_sunrgbd.SUNRGBD_CLASS_NAMES) == 10
    assert len(meta_scannet.CLASS_NAMES_200) == len(meta_scannet.VALID_CLASS_IDS_200) == 200
