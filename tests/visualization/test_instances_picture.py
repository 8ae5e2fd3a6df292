"""``tools/visualize.py instances``: true and predicted instances of a scene (predictions: a submission)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from pointcept.datasets.demo import generate_room
from pointcept.datasets.preprocessing.ply import read_ply
from pointcept.evaluation.scannet_submission import write_scannet_submission
from pointcept.visualization.cli import COMMANDS, main
from pointcept.visualization.instances import instance_map, match_colours, true_instances


def test_best_scoring_mask_wins_overlaps():
    masks = np.array([[1, 1, 0, 0], [0, 1, 1, 0]], dtype=bool)
    assert instance_map(masks, np.array([0.2, 0.9])).tolist() == [0, 1, 1, -1]
    assert instance_map(masks, np.array([0.2, 0.9]), score_threshold=0.5).tolist() == [-1, 1, 1, -1]


def test_matched_predictions_share_the_true_colour():
    truth = true_instances(np.array([2, 2, 2, 3, 3, 0]), np.array([7, 7, 7, 4, 4, 9]), stuff_classes=(0, 1))
    assert truth.tolist() == [1, 1, 1, 0, 0, -1]
    predicted = np.array(
        [5, 5, -1, 8, 8, 8]
    )  # 5 matches true 1 (IoU 2/3); 8 covers true 0 + a wall point (2/3)
    assert match_colours(truth, predicted).tolist() == [1, 1, -1, 0, 0, 0]
    assert match_colours(truth, np.array([3, -1, -1, -1, -1, -1])).tolist() == [2, -1, -1, -1, -1, -1]


def test_instances_subcommand_writes_png_and_ply(tmp_path):
    assert "instances" in COMMANDS
    room = generate_room(0, points_per_m2=40)
    scene = tmp_path / "room_0000"
    scene.mkdir()
    for key in ("coord", "color", "segment", "instance"):
        np.save(scene / f"{key}.npy", room[key])
    truth = room["instance"]
    ids = np.unique(truth[truth >= 0])[:3]
    write_scannet_submission(
        tmp_path / "pred", "room_0000", np.stack([truth == i for i in ids]), [2, 3, 4], [0.9, 0.8, 0.7]
    )
    assert (
        main(
            [
                "instances",
                "--scene",
                str(scene),
                "--pred",
                str(tmp_path / "pred"),
                "--out",
                str(tmp_path / "vis"),
                "--panel-px",
                "120",
                "--views",
                "top",
            ]
        )
        == 0
    )
    picture = Image.open(tmp_path / "vis" / "room_0000_instances.png")
    assert picture.size == (360, 120)
    ply = read_ply(tmp_path / "vis" / "room_0000_instances_pred.ply")
    labels = np.asarray(ply["elements"]["vertex"]["instance"])
    assert len(np.unique(labels[labels >= 0])) == 3
