"""DefaultDataset and the benchmark datasets: layout, asset maps, validation errors that name the file."""

import numpy as np
import pytest

from pointcept.datasets import SceneDataError, build_dataset


def write_scene(folder, n=200, seed=0, **overrides):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "coord": rng.uniform(0, 3, (n, 3)).astype(np.float32),
        "color": rng.integers(0, 256, (n, 3)).astype(np.uint8),
        "segment20": rng.integers(-1, 20, n).astype(np.int16),
        "segment200": rng.integers(-1, 200, n).astype(np.int16),
        "segment": rng.integers(-1, 13, n).astype(np.int16),
        "instance": rng.integers(-1, 5, n).astype(np.int32),
    }
    arrays.update(overrides)
    for name, array in arrays.items():
        if array is not None:
            np.save(folder / f"{name}.npy", array)
    return arrays


@pytest.fixture
def scannet_root(tmp_path):
    for split, count in (("train", 2), ("val", 1)):
        for i in range(count):
            write_scene(tmp_path / split / f"scene000{i}_00", seed=i)
    return tmp_path


def build(root, split="train", type_="ScanNetDataset", **kwargs):
    return build_dataset(dict(type=type_, split=split, data_root=str(root), **kwargs))


def test_scannet_reads_segment20_and_scannet200_reads_segment200(scannet_root):
    data20 = build(scannet_root).get_data(0)
    data200 = build(scannet_root, type_="ScanNet200Dataset").get_data(0)
    raw = np.load(scannet_root / "train" / "scene0000_00" / "segment20.npy")
    np.testing.assert_array_equal(data20["segment"], raw)
    assert data200["segment"].max() > 19
    assert data20["name"] == "scene0000_00" and data20["split"] == "train"
    assert data20["coord"].dtype == np.float32 and data20["segment"].dtype == np.int64
    assert "normal" not in data20


def test_missing_normals_are_estimated_when_asked(scannet_root):
    data = build(scannet_root, estimate_normals=True).get_data(0)
    assert data["normal"].shape == data["coord"].shape
    np.testing.assert_allclose(np.linalg.norm(data["normal"], axis=1), 1.0, atol=1e-5)
    assert "normal" in data["index_valid_keys"]


def test_s3dis_train_and_val_areas(tmp_path):
    for area in (1, 2, 3, 4, 5, 6):
        write_scene(tmp_path / f"Area_{area}" / "office_1")
    assert len(build(tmp_path, "train", "S3DISDataset")) == 5
    assert len(build(tmp_path, ["Area_1", "Area_2"], "S3DISDataset")) == 2
    val = build(tmp_path, "val", "S3DISDataset")
    assert len(val) == 1 and val.get_data(0)["split"] == "Area_5"


def test_missing_coord_names_the_scene(scannet_root):
    (scannet_root / "train" / "scene0001_00" / "coord.npy").unlink()
    dataset = build(scannet_root)
    with pytest.raises(SceneDataError, match=r"scene0001_00.*coord\.npy"):
        dataset.get_data(1)


def test_different_point_counts_name_the_file(tmp_path):
    write_scene(tmp_path / "train" / "s0", instance=np.zeros(150, np.int32))
    with pytest.raises(SceneDataError, match=r"instance\.npy: has 150 entries but coord\.npy has 200"):
        build(tmp_path).get_data(0)


def test_nan_coordinates_are_rejected(tmp_path):
    coord = np.zeros((200, 3), np.float32)
    coord[5, 1] = np.nan
    write_scene(tmp_path / "train" / "s0", coord=coord)
    with pytest.raises(SceneDataError, match=r"coord\.npy: 1 points have NaN"):
        build(tmp_path).get_data(0)


def test_empty_scene_is_rejected(tmp_path):
    write_scene(tmp_path / "train" / "s0", n=0)
    with pytest.raises(SceneDataError, match=r"coord\.npy: the scene is empty"):
        build(tmp_path).get_data(0)


def test_missing_split_and_empty_split(tmp_path):
    with pytest.raises(FileNotFoundError, match="split folder"):
        build(tmp_path, "train")
    (tmp_path / "train").mkdir()
    with pytest.raises(FileNotFoundError, match="no scene folders"):
        build(tmp_path, "train")


def test_misspelled_transform_names_the_closest(scannet_root):
    with pytest.raises(KeyError, match=r"'GridSampel'.*'GridSample'"):
        build(scannet_root, transform=[dict(type="GridSampel", grid_size=0.02)])


def test_asset_map_override_reads_another_file(scannet_root):
    data = build(scannet_root, assets={"segment": "segment200"}).get_data(0)
    raw = np.load(scannet_root / "train" / "scene0000_00" / "segment200.npy")
    np.testing.assert_array_equal(data["segment"], raw)


def test_superpoints_computed_when_missing_and_required_assets_checked(scannet_root):
    data = build(scannet_root, superpoints={}, require=("superpoint",)).get_data(0)
    assert data["superpoint"].shape == (200,) and data["superpoint"].min() >= 0
    assert "superpoint" in data["index_valid_keys"]
    with pytest.raises(SceneDataError, match=r"scene0000_00.*superpoint\.npy.*required: superpoint"):
        build(scannet_root, require=("superpoint",)).get_data(0)
