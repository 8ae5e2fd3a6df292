"""``DefaultDataset``: one folder of ``<name>.npy`` arrays per scene, in Pointcept's on-disk layout.

``<data_root>/<split>/<scene>/{coord,color,normal,segment20,instance,...}.npy``. Which file feeds which
data key is the ``assets`` map (``{"segment": "segment20"}`` for ScanNet), so subclasses override a
class attribute instead of re-implementing loading. Every scene is validated when loaded: a missing
``coord.npy``, arrays of different lengths, non-finite coordinates or an empty scene fail with the file
named, and every per-point file is checked against the table of :mod:`.validation` (dtype, shape, value
range: float label files, ``(N, 1)`` labels, RGBA colours, coordinates beyond ``coord_limit``, labels
outside the dataset's classes are errors naming the file). In test mode a scene becomes a list of voxel
fragments that together cover every point; the tester votes their predictions back onto the original
points.
"""

from __future__ import annotations

import copy
import os
import warnings
from glob import glob
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from torch.utils.data import Dataset

from pointcept.utils.geometry import estimate_normals
from pointcept.utils.logger import get_logger

from .builder import DATASETS
from .preprocessing import data_efficient
from .transforms import TRANSFORMS, Compose
from .validation import COORD_LIMIT, SceneDataError, SceneDataWarning, check_scene_arrays

#: arrays whose first dimension is the point count
POINT_ASSETS = ("coord", "color", "normal", "strength", "segment", "instance", "superpoint")


def sample_rng() -> np.random.Generator:
    """A generator for one sample, drawn from torch's RNG.

    In the main process torch's global RNG advances with every call (so each epoch differs and a seeded
    run repeats); in a DataLoader worker it is seeded from the loader's per-epoch base seed.
    """
    return np.random.default_rng(int(torch.randint(0, 2**62, (1,)).item()))


def fix_eval_seed(dataset: Any, seed: int | None) -> None:
    """Give a val/test ``dataset`` fixed per-scene random draws (its config's own ``eval_seed`` wins)."""
    if isinstance(dataset, DefaultDataset) and dataset.eval_seed is None:
        dataset.eval_seed = int(seed or 0)


@DATASETS.register_module()
class DefaultDataset(Dataset):
    """Scenes of one or more splits of a Pointcept-layout data root.

    Args:
        split: sub-folder name(s) of ``data_root`` whose scene folders are used.
        data_root: root folder of the data set.
        transform: transform configs applied to every sample (training/validation pipeline).
        test_mode: return whole scenes cut into fragments (see ``test_cfg``) instead of one sample.
        test_cfg: ``voxelize`` (a ``GridSample`` config in ``mode="test"``), ``crop`` (optional),
            ``post_transform`` (applied to each fragment) and ``aug_transform`` (a list of transform
            lists; each gives one test-time augmented copy of the scene).
        assets: data key -> file stem overrides, merged over the class's ``ASSETS``.
        estimate_normals: compute ``normal`` by local PCA when the scene has no ``normal.npy``.
        superpoints: graph-cut parameters (``segment_point_cloud`` keywords, ``{}`` for the defaults) used to
            compute ``superpoint`` when the scene has no segment file; None leaves it absent. Lets
            pretraining run on read-only data that ships without segments.
        require: data keys every scene must provide (after estimation), beyond ``coord``.
        cache: keep loaded (and estimated) arrays in memory.
        loop: repeat the scene list this many times per epoch (training only).
        ignore_index: label used for unlabelled points.
        lr_file: limited reconstruction: use only the scenes this file lists (data-efficient benchmark).
        eval_seed: fixed random draws per scene, from ``(eval_seed, index)``: which point stands for a voxel,
            fragment order. Evaluation is then repeatable across rounds, processes and rank counts (the
            trainer and testers set it from the config's ``seed`` on val/test data when left None).
        la_file: limited annotation: ``{scene: point indices}``; all other points get ``ignore_index``.
        num_classes: ``segment`` values must be ``-1``/``ignore_index`` or ``0 .. num_classes - 1``. None
            (default): ``len(CLASS_NAMES)`` when ``segment`` is read from the class's own label file
            (``segment20.npy`` for ScanNet), no upper bound otherwise (an ``assets`` override to another
            label file, or a class without names). The config's ``data.num_classes`` is not passed to
            datasets: set it here when it differs from the class's.
        coord_limit: plausibility bound of coordinates, metres per axis; larger values fail the scene
            (a corrupt file). Raise it for geo-referenced data.
    """

    #: data key -> file stem on disk; ``None`` files are optional and simply absent when missing
    ASSETS: dict[str, str] = {
        "coord": "coord",
        "color": "color",
        "normal": "normal",
        "segment": "segment",
        "instance": "instance",
    }
    #: keys every scene must have
    REQUIRED = ("coord",)
    CLASS_NAMES: Sequence[str] = ()

    def __init__(
        self,
        split: str | Sequence[str] = "train",
        data_root: str = "data/dataset",
        transform: Sequence[dict] | None = None,
        test_mode: bool = False,
        test_cfg: dict | None = None,
        assets: dict[str, str] | None = None,
        estimate_normals: bool = False,
        superpoints: dict | None = None,
        require: Sequence[str] = (),
        cache: bool = False,
        loop: int = 1,
        ignore_index: int = -1,
        lr_file: str | None = None,
        la_file: str | None = None,
        eval_seed: int | None = None,
        num_classes: int | None = None,
        coord_limit: float = COORD_LIMIT,
    ):
        super().__init__()
        self.split = split
        self.data_root = str(data_root)
        self.transform = Compose(transform)
        self.test_mode = test_mode
        self.test_cfg = copy.deepcopy(test_cfg) if test_cfg is not None else {}
        self.assets = {**self.ASSETS, **(assets or {})}
        self.estimate_normals = estimate_normals
        self.superpoints = superpoints
        self.require = tuple(require)
        self.cache = cache
        self.loop = 1 if test_mode else int(loop)
        self.ignore_index = ignore_index
        self.eval_seed = eval_seed
        if num_classes is None and self.CLASS_NAMES and self.assets["segment"] == self.ASSETS["segment"]:
            num_classes = len(self.CLASS_NAMES)
        self.num_classes = num_classes
        self.coord_limit = float(coord_limit)
        self._cache: dict[str, dict] = {}
        if test_mode:
            self.test_voxelize = TRANSFORMS.build(self.test_cfg["voxelize"]) if self.test_cfg.get("voxelize") else None
            self.test_crop = TRANSFORMS.build(self.test_cfg["crop"]) if self.test_cfg.get("crop") else None
            self.post_transform = Compose(self.test_cfg.get("post_transform"))
            self.aug_transform = [Compose(aug) for aug in self.test_cfg.get("aug_transform") or [[]]]
        self.data_list = self.get_data_list()
        if lr_file is not None:
            self.data_list = data_efficient.restrict_scenes(self.data_list, lr_file)
        self.la_file = la_file
        self.la = data_efficient.load_la_file(la_file) if la_file is not None else None
        if not self.data_list:
            raise FileNotFoundError(
                f"{type(self).__name__}: no scene folders found for split {split!r} under {self.data_root!r}"
            )
        get_logger().info(
            f"{type(self).__name__}: {len(self.data_list)} scenes of split {split!r} in {self.data_root}"
        )

    # ----------------------------------------------------------------------------- discovery and loading
    def split_names(self) -> list[str]:
        return [self.split] if isinstance(self.split, str) else list(self.split)

    def get_data_list(self) -> list[str]:
        scenes: list[str] = []
        for split in self.split_names():
            split_dir = os.path.join(self.data_root, split)
            if not os.path.isdir(split_dir):
                raise FileNotFoundError(f"{type(self).__name__}: split folder {split_dir!r} does not exist")
            entries = glob(os.path.join(split_dir, "*"))
            scenes += sorted(p for p in entries if os.path.isdir(p))
            broken = sorted(p for p in entries if os.path.islink(p) and not os.path.exists(p))
            if broken:  # a scene that vanished (unmounted disk, moved data) must not shrink the set silently
                message = (f"{type(self).__name__}: {len(broken)} broken symlink(s) in {split_dir} skipped: "
                           + ", ".join(f"{os.path.basename(p)} -> {os.readlink(p)}" for p in broken[:5]))
                get_logger().warning(message)
                warnings.warn(message, SceneDataWarning, stacklevel=2)
        return scenes

    def get_data_name(self, idx: int) -> str:
        return os.path.basename(self.data_list[idx % len(self.data_list)])

    def load_scene(self, scene_dir: str) -> dict[str, np.ndarray]:
        """Read and validate the arrays of one scene folder."""
        data: dict[str, np.ndarray] = {}
        for key, stem in self.assets.items():
            path = os.path.join(scene_dir, f"{stem}.npy")
            if not os.path.isfile(path):
                if key in self.REQUIRED:
                    raise SceneDataError(f"scene {scene_dir!r} has no {stem}.npy (required for {key!r})")
                continue
            try:
                data[key] = np.load(path)
            except Exception as error:
                raise SceneDataError(f"cannot read {path}: {error}") from error
        validate_scene(data, scene_dir, self.assets, self.num_classes, self.ignore_index, self.coord_limit)
        if "normal" not in data and self.estimate_normals:
            data["normal"] = estimate_normals(data["coord"])
        if "superpoint" not in data and self.superpoints is not None:
            from .preprocessing.segmentation import segment_point_cloud

            data["superpoint"] = segment_point_cloud(data["coord"], **self.superpoints)
        missing = [key for key in self.require if key not in data]
        if missing:
            files = ", ".join(f"{self.assets.get(k, k)}.npy" for k in missing)
            raise SceneDataError(f"scene {scene_dir!r} has no {files} (required: {', '.join(missing)})")
        return data

    def get_data(self, idx: int) -> dict[str, Any]:
        scene_dir = self.data_list[idx % len(self.data_list)]
        if self.cache and scene_dir in self._cache:
            arrays = self._cache[scene_dir]
        else:
            arrays = self.load_scene(scene_dir)
            if self.cache:
                self._cache[scene_dir] = arrays
        data: dict[str, Any] = {k: v.copy() for k, v in arrays.items()}
        data["coord"] = data["coord"].astype(np.float32)
        if "color" in data:
            data["color"] = data["color"].astype(np.float32)
        if "normal" in data:
            data["normal"] = data["normal"].astype(np.float32)
        n = len(data["coord"])
        for key in ("segment", "instance"):
            data[key] = data[key].reshape(-1).astype(np.int64) if key in data else np.full(n, self.ignore_index, dtype=np.int64)
        if self.la is not None:
            name = self.get_data_name(idx)
            if name not in self.la:
                raise SceneDataError(f"{self.la_file}: has no labelled points for scene {name!r}")
            data["segment"] = data_efficient.mask_to_annotated(
                data["segment"], self.la[name], self.ignore_index, f"{self.la_file}[{name}]"
            )
        data["index_valid_keys"] = [k for k in POINT_ASSETS if k in data] + [
            k for k in data if k not in POINT_ASSETS and isinstance(data[k], np.ndarray) and len(data[k]) == n
        ]
        data["name"] = self.get_data_name(idx)
        data["split"] = os.path.basename(os.path.dirname(scene_dir))
        return data

    # ----------------------------------------------------------------------------- samples
    def rng_for(self, idx: int) -> np.random.Generator:
        """The random generator of sample ``idx``: fixed per scene when ``eval_seed`` is set."""
        if self.eval_seed is None:
            return sample_rng()
        return np.random.default_rng((int(self.eval_seed), int(idx)))

    def prepare_train_data(self, idx: int) -> dict:
        return self.transform(self.get_data(idx), self.rng_for(idx))

    def prepare_test_data(self, idx: int) -> dict:
        """Whole-scene test sample: labels of every original point plus fragments that cover them all."""
        rng = self.rng_for(idx)
        data = self.transform(self.get_data(idx), rng)
        result = {"name": data["name"], "segment": data.pop("origin_segment", data["segment"])}
        if "inverse" in data:  # the pipeline already voxelised: predictions are mapped back through it
            result["inverse"] = data.pop("inverse")
        for key in ("origin_instance", "origin_coord"):
            if key in data:
                result[key] = data.pop(key)
        fragments = []
        for aug in self.aug_transform:
            augmented = aug(copy.deepcopy(data), rng)
            if self.test_voxelize is not None:
                parts = self.test_voxelize(augmented, rng)
            else:
                augmented["index"] = np.arange(len(augmented["coord"]))
                parts = [augmented]
            for part in parts:
                crops = self.test_crop(part, rng) if self.test_crop is not None else [part]
                fragments += [self.post_transform(crop, rng) for crop in crops]
        result["fragment_list"] = fragments
        return result

    def __getitem__(self, idx: int) -> dict:
        if self.test_mode:
            return self.prepare_test_data(idx)
        return self.prepare_train_data(idx)

    def __len__(self) -> int:
        return len(self.data_list) * self.loop


def validate_scene(
    data: dict[str, np.ndarray], scene_dir: str, assets: dict[str, str], num_classes: int | None = None,
    ignore_index: int = -1, coord_limit: float = COORD_LIMIT,
) -> list[str]:
    """Fail naming the file when a scene's arrays are empty, of different lengths or not what their kind
    of file must hold (:data:`.validation.POINT_FILE_SPECS`); returns the warnings (e.g. 0..1 colours)."""
    names = {key: os.path.join(scene_dir, f"{assets.get(key, key)}.npy") for key in data}
    return check_scene_arrays(data, names, num_classes, ignore_index, coord_limit, POINT_ASSETS)


def scene_names(dataset: DefaultDataset) -> list[str]:
    return [Path(p).name for p in dataset.data_list]
