"""Box geometry (pointcept.utils.boxes): corners, points in boxes, oriented 3D/BEV IoU, NMS, box transforms,
on hand-made cases with known answers and against brute-force references."""

import math

import numpy as np
import pytest
import torch

from pointcept.utils.boxes import (
    BOX_EDGES, bev_corners, box_corners, box_edges, box_iou_3d, box_iou_bev, boxes_from_votenet, check_boxes,
    enclosing_axis_aligned, nms_3d, points_in_boxes, transform_boxes, wrap_angle,
)


def box(x=0.0, y=0.0, z=0.0, dx=1.0, dy=1.0, dz=1.0, heading=0.0):
    return np.array([[x, y, z, dx, dy, dz, heading]])


def iou(a, b) -> float:
    return float(box_iou_3d(a, b)[0, 0])


# ------------------------------------------------------------------------------------------ IoU
@pytest.mark.parametrize("a, b, expected", [
    (box(), box(), 1.0),  # identical
    (box(), box(x=0.5), 1 / 3),  # half-shifted along x: overlap 1/2, union 3/2
    (box(), box(y=0.5, z=0.5), 1 / 7),  # quarter overlap: 1/4 / (2 - 1/4)
    (box(dx=2.0), box(dx=2.0, heading=np.pi / 2), 1 / 3),  # 2x1 rotated 90 deg: cross of 1x1, union 3
    (box(dx=2.0), box(dy=2.0, heading=np.pi / 2), 1.0),  # the same box written two ways
    (box(), box(heading=np.pi / 4), 0.5 * (2 * (math.sqrt(2) - 1)) / (1 - (math.sqrt(2) - 1))),  # octagon
    (box(), box(x=3.0), 0.0),  # disjoint
    (box(), box(x=1.0), 0.0),  # touching faces
    (box(), box(z=2.0), 0.0),  # stacked
    (box(dx=2, dy=2, dz=2), box(), 1 / 8),  # nested
])
def test_iou_known_answers(a, b, expected):
    assert iou(a, b) == pytest.approx(expected, abs=1e-9)
    assert iou(b, a) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("turn", [np.pi, -np.pi, 2 * np.pi, 3 * np.pi])
def test_iou_heading_symmetry(turn):
    a = box(1.0, 2.0, 0.5, 1.5, 0.7, 0.9, 0.3)
    b = a.copy()
    b[0, 6] += turn
    assert iou(a, b) == pytest.approx(1.0, abs=1e-9)


def _clip(subject, clip):
    """Scalar Sutherland-Hodgman reference for two counter-clockwise convex polygons."""
    out = list(subject)
    for i in range(len(clip)):
        a, b = clip[i], clip[(i + 1) % len(clip)]
        side = lambda p: (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])  # noqa: E731
        polygon, out = out, []
        for j, cur in enumerate(polygon):
            nxt = polygon[(j + 1) % len(polygon)]
            if side(cur) >= 0:
                out.append(cur)
            if (side(cur) >= 0) != (side(nxt) >= 0):
                t = side(cur) / (side(cur) - side(nxt))
                out.append((cur[0] + t * (nxt[0] - cur[0]), cur[1] + t * (nxt[1] - cur[1])))
        if not out:
            return 0.0
    return abs(sum(p[0] * q[1] - q[0] * p[1] for p, q in zip(out, out[1:] + out[:1]))) / 2


def test_iou_matches_scalar_reference_on_random_boxes():
    rng = np.random.default_rng(0)
    a = np.c_[rng.uniform(-1, 1, (40, 3)), rng.uniform(0.2, 2, (40, 3)), rng.uniform(-np.pi, np.pi, 40)]
    b = np.c_[rng.uniform(-1, 1, (30, 3)), rng.uniform(0.2, 2, (30, 3)), rng.uniform(-np.pi, np.pi, 30)]
    got = box_iou_3d(a, b)
    ca, cb = bev_corners(a), bev_corners(b)
    for i in range(len(a)):
        for j in range(len(b)):
            area = _clip([tuple(p) for p in ca[i]], [tuple(p) for p in cb[j]])
            z = max(0.0, min(a[i, 2] + a[i, 5] / 2, b[j, 2] + b[j, 5] / 2) - max(a[i, 2] - a[i, 5] / 2, b[j, 2] - b[j, 5] / 2))
            inter = area * z
            expected = inter / (a[i, 3:6].prod() + b[j, 3:6].prod() - inter)
            assert got[i, j] == pytest.approx(expected, abs=1e-9)
    assert (got > 0).mean() > 0.2  # the sample does exercise overlaps


def test_iou_empty_inputs():
    assert box_iou_3d(np.zeros((0, 7)), box()).shape == (0, 1)
    assert box_iou_3d(box(), np.zeros((0, 7))).shape == (1, 0)


# ------------------------------------------------------------------------------------------ NMS
def test_nms_per_class_and_threshold():
    boxes = np.concatenate([box(), box(x=0.1), box(x=0.5), box(x=0.1), box(x=5)])
    scores = np.array([0.9, 0.8, 0.7, 0.95, 0.1])
    classes = np.array([0, 0, 0, 1, 0])
    keep = nms_3d(boxes, scores, 0.25, classes)
    # class 0: box 1 (IoU 0.82 with box 0) goes, box 2 (IoU 1/3 > 0.25) goes, far box stays; class 1 alone
    assert keep.tolist() == [3, 0, 4]
    assert nms_3d(boxes, scores, 0.25).tolist() == [3, 4]  # class-agnostic: box 3 suppresses 0, 1 and 2
    assert nms_3d(np.zeros((0, 7)), np.zeros(0)).tolist() == []


# ------------------------------------------------------------------------------------------ BEV IoU
@pytest.mark.parametrize("a, b, expected", [
    (box(), box(), 1.0),  # identical
    (box(), box(x=0.5), 1 / 3),  # half-shifted
    (box(dx=2.0), box(dx=2.0, heading=np.pi / 2), 1 / 3),  # 90 degrees: a 1x1 cross, union 3
    (box(), box(x=3.0), 0.0),  # disjoint
    (box(), box(z=2.0), 1.0),  # stacked: the same footprint
    (box(dx=2, dy=2, dz=2), box(), 1 / 4),  # nested footprints
])
def test_bev_iou_known_answers(a, b, expected):
    assert float(box_iou_bev(a, b)[0, 0]) == pytest.approx(expected, abs=1e-9)
    assert float(box_iou_bev(b, a)[0, 0]) == pytest.approx(expected, abs=1e-9)


def test_bev_iou_equals_3d_iou_for_equal_z_ranges():
    rng = np.random.default_rng(1)
    a = np.c_[rng.uniform(-1, 1, (20, 2)), np.zeros(20), rng.uniform(0.2, 2, (20, 2)), np.ones(20),
              rng.uniform(-np.pi, np.pi, 20)]
    np.testing.assert_allclose(box_iou_3d(a, a[::-1]), box_iou_bev(a, a[::-1]), atol=1e-12)  # same z range
    assert box_iou_bev(np.zeros((0, 7)), box()).shape == (0, 1)


# ------------------------------------------------------------------------------------------ corners
def test_corners_against_a_hand_computation():
    # 2 x 1 x 3 box at (1, 2, 3) turned by +90 degrees: its dx side now runs along +y
    corners = box_corners(box(1, 2, 3, 2, 1, 3, np.pi / 2))[0]
    bottom = [(1.5, 1), (1.5, 3), (0.5, 3), (0.5, 1)]
    expected = [(x, y, 1.5) for x, y in bottom] + [(x, y, 4.5) for x, y in bottom]
    np.testing.assert_allclose(corners, expected, atol=1e-12)
    aligned = box_corners(box(0, 0, 0, 2, 1, 3))[0]  # axis-aligned = heading 0
    np.testing.assert_allclose(aligned[[0, 6]], [(-1, -0.5, -1.5), (1, 0.5, 1.5)])
    assert box_corners(np.zeros((0, 7))).shape == (0, 8, 3)


def test_bev_corners_are_the_bottom_face_and_edges_have_the_box_sides():
    rng = np.random.default_rng(2)
    boxes = np.c_[rng.uniform(-3, 3, (10, 3)), rng.uniform(0.1, 2, (10, 3)), rng.uniform(-4, 4, 10)]
    np.testing.assert_array_equal(bev_corners(boxes), box_corners(boxes)[:, :4, :2])
    edges = box_edges(boxes)
    assert edges.shape == (10, 12, 2, 3) and len(BOX_EDGES) == 12
    lengths = np.linalg.norm(edges[:, :, 1] - edges[:, :, 0], axis=-1)
    np.testing.assert_allclose(lengths[:, [0, 2, 4, 6]], np.repeat(boxes[:, 3:4], 4, 1))  # dx sides
    np.testing.assert_allclose(lengths[:, [1, 3, 5, 7]], np.repeat(boxes[:, 4:5], 4, 1))  # dy sides
    np.testing.assert_allclose(lengths[:, 8:], np.repeat(boxes[:, 5:6], 4, 1))  # uprights
    np.testing.assert_allclose(box_corners(boxes).mean(axis=1), boxes[:, :3], atol=1e-12)


# ------------------------------------------------------------------------------------------ points in boxes
def _inside_loop(points, boxes, eps):
    """Scalar reference: each point turned into each box's frame (rotation by -heading)."""
    out = np.zeros((len(points), len(boxes)), dtype=bool)
    for n, p in enumerate(points):
        for k, (cx, cy, cz, dx, dy, dz, h) in enumerate(boxes):
            rx, ry = p[0] - cx, p[1] - cy
            u = math.cos(h) * rx + math.sin(h) * ry
            v = -math.sin(h) * rx + math.cos(h) * ry
            out[n, k] = abs(u) <= dx / 2 + eps and abs(v) <= dy / 2 + eps and abs(p[2] - cz) <= dz / 2 + eps
    return out


def test_points_in_boxes_matches_a_brute_force_loop():
    rng = np.random.default_rng(3)
    boxes = np.c_[rng.uniform(-1, 1, (6, 3)), rng.uniform(0.3, 1.5, (6, 3)), rng.uniform(-np.pi, np.pi, 6)]
    points = rng.uniform(-1.8, 1.8, (500, 3))
    expected = _inside_loop(points, boxes, 1e-6)
    assert 0.05 < expected.any(1).mean() < 0.5 and expected.any(0).all()  # inside and outside, every box hit
    got = points_in_boxes(np.c_[points, rng.random((500, 3))], boxes)  # extra columns (colour) ignored
    np.testing.assert_array_equal(got, expected)
    # torch: same answer, any leading batch dims, dtype and device kept
    twice = lambda array: torch.from_numpy(array)[None].repeat(2, 1, 1)  # noqa: E731
    batched = points_in_boxes(twice(points), twice(boxes))
    assert batched.shape == (2, 500, 6) and batched.dtype == torch.bool
    np.testing.assert_array_equal(batched[1].numpy(), expected)
    assert points_in_boxes(points, np.zeros((0, 7))).shape == (500, 0)


def test_points_in_boxes_tolerance():
    long_box = box(0, 0, 0, 4, 1, 1, np.pi / 2)  # 4 m along y after the turn
    assert points_in_boxes(np.array([[0, 1.9, 0], [1.9, 0, 0]]), long_box)[:, 0].tolist() == [True, False]
    face = np.array([[0.5 + 1e-7, 0, 0]])
    assert points_in_boxes(face, box())[0, 0] and not points_in_boxes(face, box(), eps=0.0)[0, 0]


# ------------------------------------------------------------------------------------------ conventions, maps
def test_votenet_rows_are_converted_once():
    rows = np.array([[1, 2, 0.5, 1.0, 0.25, 0.5, 0.3], [0, 0, 0, 0.5, 0.5, 0.5, -3.5]])  # half, clockwise
    boxes = boxes_from_votenet(rows)
    np.testing.assert_allclose(boxes[:, 3:6], 2 * rows[:, 3:6])
    np.testing.assert_allclose(boxes[:, 6], [-0.3, 3.5 - 2 * np.pi])
    # VoteNet's corners: rotz(-heading) of the half-size offsets
    h = rows[0, 6]
    rotz = np.array([[np.cos(-h), -np.sin(-h)], [np.sin(-h), np.cos(-h)]])
    offsets = np.array([[-1.0, -0.25], [1.0, -0.25], [1.0, 0.25], [-1.0, 0.25]])
    np.testing.assert_allclose(bev_corners(boxes[:1])[0], offsets @ rotz.T + rows[0, :2], atol=1e-12)


def test_wrap_angle_numpy_and_torch():
    angles = np.array([-3 * np.pi, -np.pi, 0.0, np.pi, 2.5 * np.pi])
    np.testing.assert_allclose(wrap_angle(angles), [-np.pi, -np.pi, 0.0, -np.pi, 0.5 * np.pi], atol=1e-12)
    np.testing.assert_allclose(wrap_angle(torch.from_numpy(angles)).numpy(), wrap_angle(angles))


def test_transform_boxes_and_enclosing_axis_aligned():
    boxes = box(1, 0, 0, 2, 1, 1, 0.0)
    flipped = transform_boxes(boxes, np.diag([-1.0, 1.0, 1.0]), np.zeros(3))
    np.testing.assert_allclose(flipped, box(-1, 0, 0, 2, 1, 1, -np.pi), atol=1e-12)
    scaled = transform_boxes(boxes, 2 * np.eye(3), np.array([1.0, 0, 0]))
    np.testing.assert_allclose(scaled, box(1, 0, 0, 4, 2, 2, 0.0))
    with pytest.raises(ValueError, match="does not keep boxes upright"):
        transform_boxes(boxes, np.diag([1.0, 2.0, 1.0]), np.zeros(3))
    upright = enclosing_axis_aligned(box(0, 0, 0, 2, 1, 1, np.pi / 2))
    np.testing.assert_allclose(upright, box(0, 0, 0, 1, 2, 1), atol=1e-12)
    diagonal = enclosing_axis_aligned(box(0, 0, 0, 2, 1, 1, np.pi / 4))[0]
    np.testing.assert_allclose(diagonal[3:5], [3 / math.sqrt(2)] * 2)
    quarter_turn = np.array([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]])
    turned = transform_boxes(box(0, 0, 0, 2, 1, 1), quarter_turn, np.zeros(3), axis_aligned=True)
    np.testing.assert_allclose(turned, box(0, 0, 0, 1, 2, 1), atol=1e-12)


@pytest.mark.parametrize("boxes, match", [
    (np.zeros((1, 6)), r"expected \(K, 7\) boxes"),
    (np.array([[0, 0, 0, 1, 1, np.nan, 0]]), "boxes hold non-finite values"),
    (np.array([[0, 0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 0, 1, 0]]),
     r"box 1 has a non-positive size \[1.0, 0.0, 1.0\]"),
])
def test_check_boxes_names_the_problem(boxes, match):
    with pytest.raises(ValueError, match="scene 3: " + match):
        check_boxes(boxes, "scene 3")
    assert check_boxes([]).shape == (0, 7)


def test_old_import_paths_are_the_same_functions():
    from pointcept.datasets import detection as datasets_detection
    from pointcept.datasets.transforms import detection as transforms_detection
    from pointcept.evaluation import detection as evaluation_detection
    from pointcept.models import votenet
    from pointcept.utils import boxes
    from pointcept.visualization import boxes as visualization_boxes

    for module, names in [
        (evaluation_detection, ("bev_corners", "box_iou_3d", "check_boxes", "nms_3d", "pairwise_bev_area")),
        (datasets_detection, ("box_corners", "points_in_boxes")),
        (transforms_detection, ("transform_boxes",)),
        (visualization_boxes, ("box_edges", "box_corners")),
        (votenet, ("points_in_boxes",)),
    ]:
        for name in names:
            assert getattr(module, name) is getattr(boxes, name), f"{module.__name__}.{name}"
