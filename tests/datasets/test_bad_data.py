"""Data that is wrong but readable: every per-point file is checked at load time, naming file and expectation.

One test per kind of bad data (issue 12, part 4). Scenes are tiny synthetic folders under ``tmp_path``.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from pointcept.datasets import SceneDataError, build_dataset
from pointcept.datasets.validation import (
    COORD_LIMIT, POINT_FILE_SPECS, SceneDataWarning, check_point_array,
)

N = 50
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "scannet-real"


def scene(root: Path, name: str = "scene0000_00", split: str = "train", **overrides) -> Path:
    """One ScanNet-layout scene of N points; ``overrides`` replace (or, with None, drop) files."""
    rng = np.random.default_rng(0)
    folder = root / split / name
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "coord": rng.uniform(0, 3, (N, 3)).astype(np.float32),
        "color": rng.integers(0, 256, (N, 3)).astype(np.uint8),
        "normal": np.tile(np.float32([0, 0, 1]), (N, 1)),
        "segment20": rng.integers(-1, 20, N).astype(np.int16),
        "instance": rng.integers(-1, 5, N).astype(np.int32),
    }
    arrays.update(overrides)
    for stem, array in arrays.items():
        if array is not None:
            np.save(folder / f"{stem}.npy", array)
    return folder


def load(root: Path, type_: str = "ScanNetDataset", **kwargs) -> dict:
    return build_dataset(dict(type=type_, split="train", data_root=str(root), **kwargs)).get_data(0)


def labels(values, dtype=np.int16) -> np.ndarray:
    out = np.zeros(N, dtype=dtype)
    out[: len(values)] = values
    return out


# ----------------------------------------------------------------------------------------- labels
def test_float_label_file_with_whole_numbers_is_an_error_saying_to_cast(tmp_path):
    scene(tmp_path, segment20=labels([-1, 3, 19], np.float32))  # -1 as float: once became class 0
    match = (r"scene0000_00/segment20\.npy: semantic labels must have an integer dtype, got float32 "
             r"\(the values are whole numbers: cast")
    with pytest.raises(SceneDataError, match=match):
        load(tmp_path)


def test_float_label_file_with_fractions_names_the_rows(tmp_path):
    scene(tmp_path, instance=labels([0.0, 2.5, -0.9], np.float64))
    with pytest.raises(SceneDataError, match=r"instance\.npy: instance ids must have an integer dtype, got "
                                             r"float64 with non-integer values at rows 1, 2"):
        load(tmp_path)


@pytest.mark.parametrize("columns", [1, 2])
def test_label_arrays_of_shape_n_by_k_are_errors_not_reshaped(tmp_path, columns):
    scene(tmp_path, segment20=np.zeros((N, columns), np.int16))
    with pytest.raises(SceneDataError, match=rf"segment20\.npy: semantic labels must have shape \(N,\), got "
                                             rf"\({N}, {columns}\) \(one value per point; not reshaped"):
        load(tmp_path)


def test_labels_past_the_class_count_name_scene_file_and_values(tmp_path):
    scene(tmp_path, name="scene0042_00", segment20=labels([20, 25, 25, 3]))
    match = (r"scene0042_00/segment20\.npy: 3 labels are neither -1 \(ignore\) nor a class 0\.\.19 "
             r"\(20 classes\): values 20, 25 at rows 0, 1, 2")
    with pytest.raises(SceneDataError, match=match):
        load(tmp_path)


def test_negative_labels_other_than_ignore_are_errors(tmp_path):
    scene(tmp_path, segment20=labels([-2]))
    with pytest.raises(SceneDataError, match=r"segment20\.npy: 1 points have semantic labels below -1: "
                                             r"values -2 at row 0"):
        load(tmp_path)


def test_num_classes_source(tmp_path):
    # ScanNet200 reads segment200 (0..199); an asset override to another label file drops the class's
    # count unless num_classes is given; DefaultDataset knows no count unless told.
    scene(tmp_path, segment200=labels([199, -1]), segment=labels([12, 13]))
    assert load(tmp_path, "ScanNet200Dataset")["segment"][0] == 199
    assert load(tmp_path, assets={"segment": "segment200"})["segment"][0] == 199
    with pytest.raises(SceneDataError, match=r"segment200\.npy: 1 labels .* class 0\.\.99 .*values 199"):
        load(tmp_path, assets={"segment": "segment200"}, num_classes=100)
    assert load(tmp_path, "DefaultDataset")["segment"][1] == 13
    with pytest.raises(SceneDataError, match=r"scene0000_00/segment\.npy: 1 labels .* 0\.\.12 .*values 13"):
        load(tmp_path, "DefaultDataset", num_classes=13)


def test_a_custom_ignore_index_is_allowed(tmp_path):
    scene(tmp_path, segment20=labels([255, -1, 19]))
    assert load(tmp_path, ignore_index=255)["segment"][0] == 255
    with pytest.raises(SceneDataError, match=r"values 255"):
        load(tmp_path)


def test_superpoint_file_must_be_integer_n(tmp_path):
    scene(tmp_path, superpoint=np.zeros((N, 2), np.int32))
    with pytest.raises(SceneDataError, match=r"superpoint\.npy: segment ids must have shape \(N,\), got"):
        load(tmp_path, "DemoDataset")


# ----------------------------------------------------------------------------------------- colours, normals
def test_rgba_colours_are_an_error_naming_the_file(tmp_path):
    scene(tmp_path, color=np.zeros((N, 4), np.uint8))
    with pytest.raises(SceneDataError, match=rf"color\.npy: colours must have shape \(N, 3\), got \({N}, 4\) "
                                             r"\(RGBA\? keep the first three columns\)"):
        load(tmp_path)


@pytest.mark.parametrize("dtype,value", [(np.int16, 300), (np.float32, -5.0), (np.float32, 255.5)])
def test_colours_outside_0_255_are_errors(tmp_path, dtype, value):
    color = np.full((N, 3), 10, dtype)
    color[7, 2] = value
    scene(tmp_path, color=color)
    with pytest.raises(SceneDataError, match=rf"color\.npy: 1 points have colours outside 0\.\.255: values "
                                             rf"{value:g} at row 7"):
        load(tmp_path)


def test_float_colours_in_0_1_warn_and_are_not_rescaled(tmp_path):
    color = np.random.default_rng(1).random((N, 3)).astype(np.float32)
    scene(tmp_path, color=color)
    with pytest.warns(SceneDataWarning, match=r"color\.npy: float colours all within 0\.\.1; colours are "
                                              r"expected in 0\.\.255"):
        data = load(tmp_path)
    np.testing.assert_array_equal(data["color"], color)


def test_non_finite_normals_are_errors(tmp_path):
    normal = np.tile(np.float32([0, 0, 1]), (N, 1))
    normal[3, 0] = np.inf
    scene(tmp_path, normal=normal)
    with pytest.raises(SceneDataError, match=r"normal\.npy: NaN or infinite normals at row 3"):
        load(tmp_path)


# ----------------------------------------------------------------------------------------- coordinates
@pytest.mark.parametrize("value", [1e30, 2.7e34, -1.5e4])
def test_implausible_coordinates_are_errors_and_the_bound_is_configurable(tmp_path, value):
    coord = np.random.default_rng(0).uniform(0, 3, (N, 3)).astype(np.float32)
    coord[11, 1] = value
    scene(tmp_path, coord=coord)
    with pytest.raises(SceneDataError, match=r"coord\.npy: 1 points have coordinates beyond ±10000 m \(the "
                                             r"plausibility bound coord_limit: a corrupt file\? .*values "
                                             + re.escape(f"{value:g}") + " at row 11"):
        load(tmp_path)
    assert load(tmp_path, coord_limit=1e35)["coord"][11, 1] == np.float32(value)


def test_integer_coordinates_are_errors(tmp_path):
    scene(tmp_path, coord=np.zeros((N, 3), np.int32))
    with pytest.raises(SceneDataError, match=r"coord\.npy: coordinates must have a float dtype, got int32"):
        load(tmp_path)


# -------------------------------------------------------------------------------------- scene folders, frames
def test_broken_scene_symlinks_are_reported_not_dropped_silently(tmp_path):
    scene(tmp_path)
    os.symlink(tmp_path / "gone", tmp_path / "train" / "scene0001_00")
    with pytest.warns(SceneDataWarning, match=r"1 broken symlink\(s\) in .*train skipped: scene0001_00 ->"):
        dataset = build_dataset(dict(type="ScanNetDataset", split="train", data_root=str(tmp_path)))
    assert len(dataset) == 1


def test_sunrgbd_frames_check_colours_and_coordinates(tmp_path):
    split = tmp_path / "train"
    split.mkdir()
    pc = np.random.default_rng(0).random((N, 6)).astype(np.float32)
    np.save(split / "000001_bbox.npy", np.zeros((0, 8)))
    np.savez(split / "000001_pc.npz", pc=np.concatenate([pc[:, :3], pc[:, 3:] * 255], axis=1))
    dataset = build_dataset(dict(type="SUNRGBDDataset", split="train", data_root=str(tmp_path)))
    with pytest.raises(SceneDataError, match=r"000001_pc\.npz: 'pc' colours \(columns 3-5\) must be 0\.\.1"):
        dataset.get_data(0)
    pc[4, 0] = 1e30
    np.savez(split / "000001_pc.npz", pc=pc)
    with pytest.raises(SceneDataError, match=r"000001_pc\.npz \['pc'\]\[:, :3\]: 1 points have coordinates "
                                             r"beyond .*row 4"):
        dataset.get_data(0)


# ----------------------------------------------------------------------------------------- the table itself
def test_every_point_asset_has_a_spec_and_good_arrays_pass():
    from pointcept.datasets.defaults import POINT_ASSETS

    assert set(POINT_ASSETS) == set(POINT_FILE_SPECS) and COORD_LIMIT == 1e4
    good = {"coord": np.zeros((4, 3), np.float32), "color": np.full((4, 3), 255, np.uint8),
            "normal": np.zeros((4, 3), np.float64), "strength": np.ones((4, 1), np.float32),
            "segment": np.array([-1, 0, 1, 2]), "instance": np.array([0, 0, 3, 7], np.uint16),
            "superpoint": np.array([0, 1, 1, -1], np.int32)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for key, array in good.items():
            assert check_point_array(key, array, f"{key}.npy", num_points=4, num_classes=3) == []
    with pytest.raises(SceneDataError, match=r"x\.npy: has 3 entries but the scene has 4 points"):
        check_point_array("segment", np.zeros(3, int), "x.npy", num_points=4)


@pytest.mark.skipif(not REAL.is_dir(), reason=f"real sample data not found at {REAL}")
@pytest.mark.parametrize("split", ["train", "val"])
def test_real_scannet_sample_passes_every_check(split):
    dataset = build_dataset(dict(type="ScanNetDataset", split=split, data_root=str(REAL)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SceneDataWarning)
        for index in range(len(dataset.data_list)):
            dataset.load_scene(dataset.data_list[index])
