"""Every registered transform honours the contract: aligned per-point keys, stable dtypes, seeded output,
and the caller's arrays left as they were."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from pointcept.datasets.transforms import TRANSFORMS, Compose, point_keys

#: name -> (build kwargs, is the output random?). Random ones get arguments that make them apply, so
#: different seeds must give different outputs. A newly registered transform must be added here.
TABLE: dict[str, tuple[dict, bool]] = {
    "Add": (dict(keys_dict={"condition": "ScanNet"}), False),
    "CenterShift": (dict(), False),
    "ChromaticAutoContrast": (dict(p=1.0), True),
    "ChromaticJitter": (dict(p=1.0), True),
    "ChromaticTranslation": (dict(p=1.0), True),
    "Collect": (dict(keys=("coord", "segment"), feat_keys=("color", "normal")), False),
    "ContrastiveViewsGenerator": (
        dict(view_keys=("coord", "color", "origin_coord"), segment_key="instance",
             view_trans_cfg=[dict(type="RandomCrop")], copy_origin_coord=True),
        True,
    ),
    "Copy": (dict(keys_dict={"segment": "origin_segment"}), False),
    "CropBoundary": (dict(), False),
    "DetectionRandomFlip": (dict(axes=("x", "y")), True),
    "DetectionRandomRotate": (dict(), True),
    "DetectionRandomScale": (dict(), True),
    "ElasticDistortion": (dict(p=1.0), True),
    "GaussianJitter": (dict(p=1.0), True),
    "GridSample": (dict(grid_size=0.2), True),
    "HueSaturationTranslation": (dict(), True),
    "InstanceParser": (dict(segment_ignore_index=(-1, 0, 1)), False),
    "NormalizeColor": (dict(), False),
    "NormalizeCoord": (dict(), False),
    "RandomColorBrightness": (dict(p=1.0, brightness=0.4), True),
    "RandomColorContrast": (dict(p=1.0, contrast=0.4), True),
    "RandomColorDrop": (dict(p=0.5), True),
    "RandomColorGrayScale": (dict(p=0.5), True),
    "RandomColorHue": (dict(p=1.0, hue=0.2), True),
    "RandomColorJitter": (dict(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=1.0), True),
    "RandomColorSaturation": (dict(p=1.0, saturation=0.4), True),
    "RandomCrop": (dict(), True),
    "RandomDropout": (dict(dropout_application_ratio=1.0), True),
    "RandomFlip": (dict(), True),
    "RandomJitter": (dict(), True),
    "RandomRotate": (dict(always_apply=True), True),
    "RandomRotateTargetAngle": (dict(always_apply=True), True),
    "RandomScale": (dict(), True),
    "RandomShift": (dict(), True),
    "ShufflePoint": (dict(), True),
    "SphereCrop": (dict(point_max=100), True),
    "ToTensor": (dict(), False),
    "Update": (dict(keys_dict={"condition": "ScanNet"}), False),
}

SEEDS = range(6)


def same(a, b) -> bool:
    """Deep equality of samples made of dicts, lists, arrays, tensors and plain values."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, torch.Tensor):
        return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    return a == b


def dtype_name(x) -> str | None:
    if isinstance(x, np.ndarray):
        return str(x.dtype)
    if isinstance(x, torch.Tensor):
        return str(x.dtype).replace("torch.", "")
    return None


def run(name: str, cloud: dict, seed: int):
    transform = TRANSFORMS.build({"type": name, **TABLE[name][0]})
    return transform(copy.deepcopy(cloud), np.random.default_rng(seed))


def test_table_covers_every_registered_transform():
    missing = sorted(set(TRANSFORMS.module_dict) - set(TABLE))
    stale = sorted(set(TABLE) - set(TRANSFORMS.module_dict))
    assert not missing, f"registered transforms without an entry in TABLE of {__file__}: {missing}"
    assert not stale, f"TABLE names transforms that are not registered: {stale}"


@pytest.mark.parametrize("name", sorted(TRANSFORMS.module_dict))
def test_transform_contract(name, make_cloud):
    if name not in TABLE:
        pytest.fail(f"transform {name!r} is registered but has no entry in TABLE of {__file__}; add one")
    _, is_random = TABLE[name]
    cloud = make_cloud(300, seed=1)
    snapshot = copy.deepcopy(cloud)
    held = {k: v for k, v in cloud.items() if isinstance(v, np.ndarray)}
    out = TRANSFORMS.build({"type": name, **TABLE[name][0]})(cloud, np.random.default_rng(0))
    for key, array in held.items():
        assert np.array_equal(array, snapshot[key]), f"{name} wrote into the input's {key!r} array in place"

    for sample in out if isinstance(out, list) else [out]:
        assert isinstance(sample, dict)
        if "coord" in sample:
            n = len(sample["coord"])
            lengths = {k: len(sample[k]) for k in point_keys(sample)}
            assert set(lengths.values()) == {n}, f"{name}: per-point keys out of step: {lengths}"
        for key, value in snapshot.items():
            if key in sample and dtype_name(value) is not None:
                assert dtype_name(sample[key]) == dtype_name(value), f"{name} changed the dtype of {key!r}"

    outputs = [run(name, snapshot, seed=s) for s in SEEDS]
    assert same(outputs[0], run(name, snapshot, SEEDS[0])), f"{name}: same seed, different output"
    differs = any(not same(outputs[0], o) for o in outputs[1:])
    if is_random:
        assert differs, f"{name}: seeds {list(SEEDS)} all gave the same output"
    else:
        assert not differs, f"{name} is listed as deterministic but its output depends on the seed"


def test_misspelled_transform_names_the_closest_registered_one():
    with pytest.raises(KeyError, match="GridSample"):
        Compose([dict(type="GridSampel", grid_size=0.05)])
    with pytest.raises(KeyError, match="RandomRotate"):
        Compose([dict(type="RandomRotat")])


def test_misspelled_argument_names_the_accepted_one():
    with pytest.raises(TypeError, match="grid_size"):
        Compose([dict(type="GridSample", gird_size=0.05)])
