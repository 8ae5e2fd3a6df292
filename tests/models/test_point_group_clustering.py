"""PointGroup grouping in torch: exact radius components (vs scipy), NMS, and proposals on synthetic rooms.

The CUDA cases run only with a GPU (``gpu`` marker) and must reproduce the CPU clusters exactly.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components
from scipy.spatial import cKDTree

from pointcept.models.point_group import clustering
from pointcept.models.point_group.clustering import (
    cluster_labels,
    connected_components,
    group_instances,
    mask_nms,
    radius_components,
)

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)]
FLOOR, CHAIR, TABLE = 0, 2, 3


def reference_components(points: np.ndarray, radius: float, groups: np.ndarray) -> np.ndarray:
    """scipy: all pairs within ``radius`` of one group, components labelled by their smallest index."""
    pairs = cKDTree(points).query_pairs(radius, output_type="ndarray")
    pairs = pairs[groups[pairs[:, 0]] == groups[pairs[:, 1]]]
    n = len(points)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, label = scipy_components(graph, directed=False)
    smallest = np.full(label.max() + 1, n)
    np.minimum.at(smallest, label, np.arange(n))
    return smallest[label]


def random_cloud(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 2500))
    if seed % 2:  # dense blobs, like shifted coordinates
        centres = rng.random((6, 3))
        points = centres[rng.integers(0, 6, n)] + rng.normal(0, 0.012, (n, 3))
    else:
        points = rng.random((n, 3)) * rng.uniform(0.1, 0.8)
    return points, rng.integers(0, 3, n)


@pytest.mark.parametrize("seed", range(8))
def test_radius_components_equal_scipy(seed):
    points, groups = random_cloud(seed)
    got = radius_components(torch.tensor(points), 0.03, torch.tensor(groups))
    assert np.array_equal(got.numpy(), reference_components(points, 0.03, groups))


def test_radius_components_exact_with_tiny_chunks(monkeypatch):
    """A dense cell pair enumerated across many chunks still finds its one close pair."""
    monkeypatch.setattr(clustering, "PAIR_CHUNK", 7)
    points, groups = random_cloud(3)
    got = radius_components(torch.tensor(points), 0.03, torch.tensor(groups))
    assert np.array_equal(got.numpy(), reference_components(points, 0.03, groups))


def test_radius_is_inclusive_and_chains_connect():
    points = torch.tensor(
        [[0.0, 0, 0], [0.03, 0, 0], [0.06, 0, 0], [0.2, 0, 0], [0.2301, 0, 0]], dtype=torch.float64
    )
    assert radius_components(points, 0.03).tolist() == [0, 0, 0, 3, 4]


def test_connected_components_roots_are_smallest_members():
    parent = torch.arange(7)
    roots = connected_components(parent, torch.tensor([6, 1, 5, 3]), torch.tensor([4, 2, 3, 6]))
    assert roots.tolist() == [0, 1, 1, 3, 3, 3, 3]


def test_cluster_labels_drop_small_and_order_by_first_point():
    points = torch.tensor([[5.0, 0, 0], [0, 0, 0], [0.01, 0, 0], [5.01, 0, 0], [9, 9, 9]])
    assert cluster_labels(points, 0.03, min_points=2).tolist() == [0, 1, 1, 0, -1]


def test_mask_nms_suppresses_overlaps_across_sets():
    # set A: clusters {0,1,2,3}, {4,5}; set B: {0,1,2}, {6,7}
    a = torch.tensor([0, 0, 0, 0, 1, 1, -1, -1])
    b = torch.tensor([0, 0, 0, -1, -1, -1, 1, 1])
    sizes = [torch.tensor([4, 2]), torch.tensor([3, 2])]
    scores = torch.tensor([0.5, 0.9, 0.8, 0.7], dtype=torch.float64)  # IoU(A0, B0) = 3/4
    assert mask_nms([a, b], sizes, scores, 0.3).tolist() == [1, 2, 3]
    assert mask_nms([a, b], sizes, scores, 0.8).tolist() == [1, 2, 3, 0]


def synthetic_room(seed: int = 0, spacing: float = 0.025):
    """Floor plus box-shaped objects (jittered grids): some far apart, two chairs touching (2 cm gap)."""
    rng = np.random.default_rng(seed)
    coords, segments, instances = [], [], []

    def block(lo, size, cls, inst):
        axes = [np.arange(0, s, spacing) for s in size]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3) + np.asarray(lo)
        grid = grid + rng.uniform(-0.003, 0.003, grid.shape)
        coords.append(grid)
        segments.append(np.full(len(grid), cls))
        instances.append(np.full(len(grid), inst))

    block((0, 0, -0.05), (2.0, 2.0, 0.01), FLOOR, -1)
    block((0.1, 0.1, 0.0), (0.2, 0.2, 0.3), CHAIR, 0)
    block((0.32, 0.1, 0.0), (0.2, 0.2, 0.3), CHAIR, 1)  # 2 cm from chair 0
    block((1.0, 1.0, 0.0), (0.5, 0.3, 0.2), TABLE, 2)
    block((1.52, 1.0, 0.0), (0.2, 0.2, 0.3), CHAIR, 3)  # touches the table, another class
    block((0.2, 1.4, 0.0), (0.2, 0.2, 0.3), CHAIR, 4)
    block((1.6, 0.2, 0.0), (0.05, 0.05, 0.05), CHAIR, 5)  # 8 points
    coord, segment, instance = (np.concatenate(x) for x in (coords, segments, instances))
    centroid = coord.copy()
    for i in np.unique(instance[instance >= 0]):
        centroid[instance == i] = coord[instance == i].mean(0)
    return coord, segment, instance, centroid


def truth_inputs(device, seed=0):
    coord, segment, instance, centroid = synthetic_room(seed)
    coord_t = torch.tensor(coord, dtype=torch.float32, device=device)
    offset = torch.tensor(centroid - coord, dtype=torch.float32, device=device)
    probs = F.one_hot(torch.tensor(segment, device=device), 5).float()
    return coord_t, offset, probs, segment, instance


@pytest.mark.parametrize("device", DEVICES)
def test_true_offsets_and_semantics_recover_every_object(device):
    coord, offset, probs, segment, instance = truth_inputs(device)
    out = group_instances(coord, offset, probs, stuff_classes=(FLOOR,), radius=0.05, min_points=10)
    masks = out["pred_masks"].cpu().numpy()
    found = sorted(tuple(np.flatnonzero(m)) for m in masks)
    expected = sorted(tuple(np.flatnonzero(instance == i)) for i in range(5))  # instance 5 is too small
    assert found == expected
    for mask, cls in zip(masks, out["pred_classes"].cpu().tolist()):
        assert (segment[mask] == cls).all()
    assert torch.allclose(out["pred_scores"].cpu(), torch.ones(5))
    assert out["pred_batch"].cpu().tolist() == [0] * 5


def test_original_coordinates_alone_merge_touching_chairs():
    coord, offset, probs, _, instance = truth_inputs("cpu")
    out = group_instances(
        coord, offset, probs, stuff_classes=(FLOOR,), radius=0.05, min_points=10, cluster_sets=("original",)
    )
    masks = out["pred_masks"].numpy()
    assert len(masks) == 4
    assert any(np.array_equal(m, (instance == 0) | (instance == 1)) for m in masks)


def test_samples_of_a_batch_never_merge():
    coord, offset, probs, _, instance = truth_inputs("cpu")
    n = len(coord)
    out = group_instances(
        torch.cat([coord, coord]),
        torch.cat([offset, offset]),
        torch.cat([probs, probs]),
        batch=torch.arange(2).repeat_interleave(n),
        stuff_classes=(FLOOR,),
        radius=0.05,
        min_points=10,
    )
    assert len(out["pred_masks"]) == 10
    assert sorted(out["pred_batch"].tolist()) == [0] * 5 + [1] * 5
    for mask, sample in zip(out["pred_masks"], out["pred_batch"].tolist()):
        assert not mask[(1 - sample) * n : (2 - sample) * n].any()


def test_diverged_offsets_do_not_break_grouping():
    coord, offset, probs, _, _ = truth_inputs("cpu")
    wild = offset * 1e9
    wild[::7] = float("nan")
    out = group_instances(coord, wild, probs, stuff_classes=(FLOOR,), radius=0.05, min_points=10)
    assert out["pred_masks"].shape[1] == len(coord)


@pytest.mark.gpu
def test_cuda_clusters_equal_cpu_clusters():
    """Noisy offsets and probabilities (a realistic model output): identical proposals on both devices."""
    coord, offset, probs, _, _ = truth_inputs("cpu", seed=1)
    generator = torch.Generator().manual_seed(0)
    offset = offset + 0.03 * torch.randn(offset.shape, generator=generator)
    probs = F.softmax(4 * probs + torch.randn(probs.shape, generator=generator), dim=1)
    kwargs = dict(stuff_classes=(FLOOR,), radius=0.03, min_points=5)
    cpu = group_instances(coord, offset, probs, **kwargs)
    gpu = group_instances(coord.cuda(), offset.cuda(), probs.cuda(), **kwargs)
    assert torch.equal(cpu["pred_masks"], gpu["pred_masks"].cpu())
    assert torch.equal(cpu["pred_classes"], gpu["pred_classes"].cpu())
    assert torch.equal(cpu["pred_scores"], gpu["pred_scores"].cpu())  # fixed-point sums: exact
    for seed in range(4):
        points, groups = random_cloud(seed)
        a = radius_components(torch.tensor(points), 0.03, torch.tensor(groups))
        b = radius_components(torch.tensor(points).cuda(), 0.03, torch.tensor(groups).cuda())
        assert torch.equal(a, b.cpu())
