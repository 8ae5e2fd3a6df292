"""The two-view pretraining pipeline is Table 4's augmentations in MSC's order, scaled once per scene."""

import numpy as np

from pointcept.datasets.demo import generate_room
from pointcept.datasets.pipelines import groupcontrast_pretrain_pipeline
from pointcept.datasets.transforms import Compose

# (transform type, the distinguishing settings) in the order Pointcept's MSC config runs them
SCENE_STEPS = [("CenterShift", {"apply_z": True}), ("RandomScale", {"scale": [0.9, 1.1]}),
               ("Copy", {"keys_dict": {"coord": "origin_coord"}})]
VIEW_STEPS = [
    ("RandomRotate", {"axis": "z", "angle": [-1, 1]}),
    ("RandomRotate", {"axis": "x", "angle": [-1 / 64, 1 / 64]}),
    ("RandomRotate", {"axis": "y", "angle": [-1 / 64, 1 / 64]}),
    ("RandomFlip", {"p": 0.5}),
    ("RandomJitter", {"sigma": 0.005, "clip": 0.02}),
    ("RandomColorJitter", {"brightness": 0.4, "contrast": 0.4, "saturation": 0.2, "hue": 0.02, "p": 0.8}),
    ("GaussianJitter", {"std": 0.05, "p": 0.95}),
    ("GridSample", {"grid_size": 0.02, "mode": "train"}),
    ("SphereCrop", {"sample_rate": 0.6, "mode": "random"}),
    ("CenterShift", {"apply_z": False}),
    ("NormalizeColor", {}),
]


def _matches(step: dict, expected: tuple[str, dict]) -> bool:
    name, settings = expected
    return step["type"] == name and all(step.get(k) == v for k, v in settings.items())


def test_steps_are_table4_in_msc_order_with_one_scene_scale():
    pipeline = groupcontrast_pretrain_pipeline()
    generator = next(i for i, step in enumerate(pipeline) if step["type"] == "ContrastiveViewsGenerator")
    scene, views = pipeline[:generator], pipeline[generator]["view_trans_cfg"]
    assert len(scene) == len(SCENE_STEPS) and all(map(_matches, scene, SCENE_STEPS)), scene
    assert len(views) == len(VIEW_STEPS) and all(map(_matches, views, VIEW_STEPS)), views
    assert not any(step["type"] == "RandomScale" for step in views)  # Table 4 has no per-view scale


def test_both_views_share_the_scene_scale():
    """Distances between matched points agree across the views (rotation, flip and crop keep them; only
    the 5 mm jitter blurs them), so the views were not scaled independently."""
    room = generate_room(3, points_per_m2=60, room_size=(3.0, 4.0))
    pipeline = Compose(groupcontrast_pretrain_pipeline(grid_size=0.05, match_radius=0.05, segment_key=None))
    for seed in range(5):
        data = {k: room[k].copy() for k in ("coord", "color", "normal")}
        data["color"] = data["color"].astype(np.float32)
        data["index_valid_keys"] = ["coord", "color", "normal"]
        out = pipeline(data, np.random.default_rng(seed))
        match = out["match_index"].numpy()
        rng = np.random.default_rng(seed)
        a, b = rng.integers(len(match), size=(2, 2000))
        far = np.linalg.norm(out["view1_coord"].numpy()[match[a, 0]] - out["view1_coord"].numpy()[match[b, 0]], axis=1)
        keep = far > 1.0
        other = np.linalg.norm(out["view2_coord"].numpy()[match[a, 1]] - out["view2_coord"].numpy()[match[b, 1]], axis=1)
        ratio = np.median(other[keep] / far[keep])
        assert abs(ratio - 1) < 0.01, f"seed {seed}: view 2 / view 1 distance ratio {ratio:.4f}"
