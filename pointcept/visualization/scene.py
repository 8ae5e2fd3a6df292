"""Read one scene folder in the Pointcept layout for pictures, filling in what the pictures need.

Unlike ``DefaultDataset`` this needs no data root or split: any folder of ``<key>.npy`` arrays works
(a demo room, a preprocessed ScanNet scene). Normals are estimated and graph-cut superpoints computed
when the folder has none, so a bare ``coord.npy`` (+ ``color.npy``) is enough.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

#: data key -> file stems tried in order (ScanNet folders name their labels segment20/segment200)
SCENE_FILES: dict[str, tuple[str, ...]] = {
    "coord": ("coord",),
    "color": ("color",),
    "normal": ("normal",),
    "superpoint": ("superpoint",),
    "segment": ("segment", "segment20", "segment200", "segment13"),
    "instance": ("instance",),
}


def load_scene_dir(
    scene_dir: str | os.PathLike,
    normals: bool = True,
    superpoints: bool = True,
    superpoint_options: dict | None = None,
) -> dict[str, np.ndarray]:
    """The arrays of ``scene_dir``; ``normal``/``superpoint`` are computed when missing and asked for."""
    from pointcept.datasets.defaults import SceneDataError

    scene_dir = Path(scene_dir)
    if not (scene_dir / "coord.npy").is_file():
        raise SceneDataError(f"{scene_dir}: no coord.npy (not a scene folder)")
    scene: dict[str, np.ndarray] = {}
    for key, stems in SCENE_FILES.items():
        for stem in stems:
            path = scene_dir / f"{stem}.npy"
            if path.is_file():
                scene[key] = np.load(path)
                break
    coord = scene["coord"]
    if coord.ndim != 2 or coord.shape[1] != 3 or len(coord) == 0:
        raise SceneDataError(f"{scene_dir / 'coord.npy'}: expected a non-empty (N, 3) array, "
                             f"got {coord.shape}")
    for key, array in scene.items():
        if len(array) != len(coord):
            raise SceneDataError(f"{scene_dir}: {key} has {len(array)} entries for {len(coord)} points")
    for key in ("superpoint", "segment", "instance"):
        if key in scene:
            scene[key] = scene[key].reshape(-1).astype(np.int64)
    if normals and "normal" not in scene:
        from pointcept.utils.geometry import estimate_normals

        scene["normal"] = estimate_normals(coord)
    if superpoints and "superpoint" not in scene:
        from pointcept.datasets.preprocessing.segmentation import segment_point_cloud

        options = superpoint_options or {}
        scene["superpoint"] = segment_point_cloud(coord, normals=scene.get("normal"), **options)
    return scene
