"""Box-aware augmentations: every in-box point stays inside its transformed box, votes and normals follow."""

import numpy as np
import pytest

from pointcept.datasets.detection import points_in_boxes
from pointcept.datasets.transforms import Compose
from pointcept.datasets.transforms.detection import apply_linear, transform_boxes


def scene(seed: int = 0, heading: bool = True) -> dict:
    """Points filling three boxes (one rotated unless ``heading`` is False) plus clutter, with votes."""
    rng = np.random.default_rng(seed)
    boxes = np.array([[1.0, 2.0, 0.5, 1.2, 0.6, 1.0, 0.7 if heading else 0.0],
                      [-1.5, 0.5, 0.4, 0.5, 0.5, 0.8, -2.0 if heading else 0.0],
                      [3.0, -1.0, 0.3, 2.0, 1.0, 0.6, 0.0]], dtype=np.float32)
    points = []
    for box in boxes:
        local = (rng.random((300, 3)) - 0.5) * box[3:6] * 0.999
        c, s = np.cos(box[6]), np.sin(box[6])
        points.append(np.c_[c * local[:, 0] - s * local[:, 1], s * local[:, 0] + c * local[:, 1], local[:, 2]] + box[:3])
    points.append(rng.uniform(-4, 4, (200, 3)))
    coord = np.concatenate(points).astype(np.float32)
    inside = points_in_boxes(coord, boxes)
    votes = np.zeros((len(coord), 9), dtype=np.float32)
    for n in np.flatnonzero(inside.any(1)):
        first = np.flatnonzero(inside[n])[0]
        votes[n] = np.tile(boxes[first, :3] - coord[n], 3)
    normal = rng.normal(size=coord.shape).astype(np.float32)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    return dict(coord=coord, normal=normal, color=np.full_like(coord, 128), gt_boxes=boxes,
                gt_classes=np.array([0, 1, 2]), point_votes=votes, point_votes_mask=inside.any(1).astype(np.int64),
                index_valid_keys=["coord", "normal", "color", "point_votes", "point_votes_mask"])


PIPELINES = {
    "flip": [dict(type="DetectionRandomFlip", p=1.0, axes=("x", "y"))],
    "rotate": [dict(type="DetectionRandomRotate", angle=(-1, 1))],
    "scale": [dict(type="DetectionRandomScale", scale=(0.5, 1.5), center=None)],
    "all": [dict(type="DetectionRandomFlip", p=0.5, axes=("x",)), dict(type="DetectionRandomRotate", angle=(-1 / 6, 1 / 6)),
            dict(type="DetectionRandomScale"), dict(type="RandomJitter", sigma=0.0001, clip=0.0002)],
}


@pytest.mark.parametrize("name", sorted(PIPELINES))
@pytest.mark.parametrize("seed", range(4))
def test_in_box_points_stay_in_transformed_boxes(name, seed):
    data = scene(seed)
    before = points_in_boxes(data["coord"], data["gt_boxes"])
    out = Compose(PIPELINES[name])(data, np.random.default_rng(seed))
    after = points_in_boxes(out["coord"], out["gt_boxes"], eps=1e-3 if name == "all" else 1e-5)
    assert before.sum() > 800 and (after | ~before).all()  # every in-box point is still in its box
    assert np.abs(out["gt_boxes"][:, 6]).max() <= np.pi
    # votes still point from each point to its box centre
    mask = out["point_votes_mask"] > 0
    ends = out["coord"][mask, None, :] + out["point_votes"][mask].reshape(-1, 3, 3)
    centres = out["gt_boxes"][:, :3]
    nearest = np.linalg.norm(ends[:, 0, None, :] - centres[None], axis=-1).min(axis=1)
    assert nearest.max() < (1e-3 if name == "all" else 1e-4)
    np.testing.assert_allclose(np.linalg.norm(out["normal"], axis=1), 1.0, atol=1e-5)


def test_axis_aligned_rotation_keeps_boxes_axis_aligned_and_around_their_points():
    data = scene(0, heading=False)
    before = points_in_boxes(data["coord"], data["gt_boxes"])
    sizes = data["gt_boxes"][:, 3].copy()
    out = Compose([dict(type="DetectionRandomRotate", angle=(0.2, 0.2), axis_aligned=True)])(data, np.random.default_rng(0))
    assert (out["gt_boxes"][:, 6] == 0).all()
    assert (points_in_boxes(out["coord"], out["gt_boxes"], eps=1e-5) | ~before).all()
    assert (out["gt_boxes"][:, 3] > sizes).all()  # the enclosing box is larger


def test_flip_and_rotation_headings():
    boxes = np.array([[1.0, 0.0, 0.0, 2.0, 1.0, 1.0, 0.3]])
    flipped = transform_boxes(boxes, np.diag([-1.0, 1.0, 1.0]), np.zeros(3))
    assert flipped[0, 0] == -1.0 and flipped[0, 6] == pytest.approx(np.pi - 0.3)
    turned = transform_boxes(boxes, np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]]), np.zeros(3))
    np.testing.assert_allclose(turned[0], [0, 1, 0, 2, 1, 1, 0.3 + np.pi / 2], atol=1e-12)


def test_maps_that_do_not_keep_boxes_are_rejected():
    with pytest.raises(ValueError, match="does not keep boxes upright"):
        apply_linear(scene(), np.diag([1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="scale must be"):
        Compose([dict(type="DetectionRandomScale", scale=(1.2, 0.8))])
    with pytest.raises(ValueError, match="axes must be"):
        Compose([dict(type="DetectionRandomFlip", axes=("z",))])
