"""Pure numpy/Python reference of the graph cut (used when no C++ compiler is available).

It must give labels IDENTICAL to ``libs/graph_cut/graph_cut.cpp``: every float operation is done in the
working precision (float32 as the official tool, or float64) in the same order as the C++ code (which is
built without fused multiply-add, ``-ffp-contract=off``), edges are stably sorted by weight (ties by edge
index, NaN last), and the union-find joins follow the same rank rule.
"""

from __future__ import annotations

import struct

import numpy as np

_F32 = struct.Struct("f")


def _round_f32(value: float) -> float:
    return _F32.unpack(_F32.pack(value))[0]


def mesh_vertex_normals(vertices: np.ndarray, faces: np.ndarray, dtype=np.float32) -> np.ndarray:
    """ScanNet-segmentator vertex normals: running mean of unit face normals, in face order, not renormalised.

    Faces of zero area (or non-finite normal) are skipped instead of poisoning their vertices with NaN.
    """
    v = np.ascontiguousarray(vertices, dtype=dtype)
    f = np.ascontiguousarray(faces, dtype=np.int64).reshape(-1, 3)
    normals = np.zeros((len(v), 3), dtype=dtype)
    if len(f) == 0:
        return normals
    p1, p2, p3 = v[f[:, 0]], v[f[:, 1]], v[f[:, 2]]
    e1, e2 = p2 - p1, p3 - p1
    cross = np.stack(
        [
            e1[:, 1] * e2[:, 2] - e1[:, 2] * e2[:, 1],
            e1[:, 2] * e2[:, 0] - e1[:, 0] * e2[:, 2],
            e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0],
        ],
        axis=1,
    )
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        norm = np.sqrt(cross[:, 0] * cross[:, 0] + cross[:, 1] * cross[:, 1] + cross[:, 2] * cross[:, 2])
        unit = cross / norm[:, None]
    valid = np.flatnonzero((norm > 0) & np.isfinite(unit).all(axis=1))
    if len(valid) == 0:
        return normals
    # Visit (vertex, face) incidences in face order; the r-th visit of a vertex uses weight 1/(r+1).
    corner_vertex = f[valid].ravel()
    corner_face = np.repeat(valid, 3)
    order = np.argsort(corner_vertex, kind="stable")
    sorted_vertex = corner_vertex[order]
    starts = np.flatnonzero(np.r_[True, sorted_vertex[1:] != sorted_vertex[:-1]])
    counts = np.diff(np.r_[starts, len(sorted_vertex)])
    rank = np.arange(len(order)) - np.repeat(starts, counts)
    one = v.dtype.type(1.0)
    for r in range(int(rank.max()) + 1):
        pick = order[rank == r]
        vid, fn = corner_vertex[pick], unit[corner_face[pick]]
        t = one / v.dtype.type(r + 1.0)
        u = one - t
        normals[vid] = t * fn + u * normals[vid]
    return normals


def mesh_edges(faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Three directed edges per face, (i1,i2), (i1,i3), (i3,i2), in face order (as the official tool)."""
    f = np.asarray(faces, dtype=np.int64).reshape(-1, 3)
    a = np.stack([f[:, 0], f[:, 0], f[:, 2]], axis=1).ravel()
    b = np.stack([f[:, 1], f[:, 2], f[:, 1]], axis=1).ravel()
    return a, b


def edge_weights(
    points: np.ndarray, normals: np.ndarray, a: np.ndarray, b: np.ndarray, convex_square: bool = True,
    absolute_dot: bool = False, dtype=np.float32,
) -> np.ndarray:
    """ScanNet edge weight: ``w = 1 - n_a.n_b``, squared where the edge is convex (``n_b.(p_b-p_a) > 0``).

    ``absolute_dot`` uses ``1 - |n_a.n_b|`` for normals of unknown sign (point clouds).
    """
    p = np.asarray(points, dtype=dtype)
    n = np.asarray(normals, dtype=dtype)
    n1, n2, p1, p2 = n[a], n[b], p[a], p[b]
    d = p2 - p1
    with np.errstate(invalid="ignore", divide="ignore"):
        dd = np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1] + d[:, 2] * d[:, 2])
        d = d / dd[:, None]
        dot = n1[:, 0] * n2[:, 0] + n1[:, 1] * n2[:, 1] + n1[:, 2] * n2[:, 2]
        dot2 = n2[:, 0] * d[:, 0] + n2[:, 1] * d[:, 1] + n2[:, 2] * d[:, 2]
        if absolute_dot:
            dot = np.abs(dot)
        w = p.dtype.type(1.0) - dot
        if convex_square:
            convex = dot2 > 0
            w[convex] = w[convex] * w[convex]
    return w


def sort_edges(weights: np.ndarray) -> np.ndarray:
    """Stable order by weight (ties keep edge order, NaN last, -0 == +0), as the C++ radix sort."""
    return np.argsort(weights, kind="stable")


def segment_graph(
    num_vertices: int, a: np.ndarray, b: np.ndarray, weights: np.ndarray, k_thresh: float, min_size: int
) -> np.ndarray:
    """Felzenszwalb-Huttenlocher on a weighted graph, then merge components below ``min_size``.

    Arithmetic is float32 or float64 following ``weights.dtype``. Returns the root vertex id of every
    vertex (not consecutive).
    """
    weights = np.asarray(weights)
    single = weights.dtype == np.float32
    if not single:
        weights = weights.astype(np.float64)
    order = sort_edges(weights)
    ea = np.asarray(a, dtype=np.int64)[order].tolist()
    eb = np.asarray(b, dtype=np.int64)[order].tolist()
    ew = weights[order].astype(np.float64).tolist()
    c = _round_f32(float(k_thresh)) if single else float(k_thresh)
    # c / size in the working precision, exactly as the C++ code computes it
    sizes = np.arange(1, num_vertices + 1, dtype=np.int64).astype(weights.dtype)
    cdiv = (weights.dtype.type(c) / sizes).astype(np.float64).tolist()
    rounding = _round_f32 if single else float
    parent = list(range(num_vertices))
    rank = [0] * num_vertices
    size = [1] * num_vertices
    threshold = [c] * num_vertices

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # full path compression (labels do not depend on it)
            parent[x], x = root, parent[x]
        return root

    def join(x: int, y: int) -> int:
        if rank[x] > rank[y]:
            parent[y] = x
            size[x] += size[y]
            return x
        parent[x] = y
        size[y] += size[x]
        if rank[x] == rank[y]:
            rank[y] += 1
        return y

    for i in range(len(ew)):
        ra, rb = find(ea[i]), find(eb[i])
        if ra != rb:
            w = ew[i]
            if w <= threshold[ra] and w <= threshold[rb]:
                root = join(ra, rb)
                threshold[root] = rounding(w + cdiv[size[root] - 1])
    if min_size > 1:
        for i in range(len(ew)):
            ra, rb = find(ea[i]), find(eb[i])
            if ra != rb and (size[ra] < min_size or size[rb] < min_size):
                join(ra, rb)
    return np.asarray([find(x) for x in range(num_vertices)], dtype=np.int64)


def segment_mesh(
    vertices: np.ndarray, faces: np.ndarray, k_thresh: float, min_size: int, dtype=np.float32
) -> np.ndarray:
    """Whole mesh pipeline; returns root ids per vertex."""
    normals = mesh_vertex_normals(vertices, faces, dtype)
    a, b = mesh_edges(faces)
    w = edge_weights(np.asarray(vertices, dtype=dtype), normals, a, b, dtype=dtype)
    return segment_graph(len(vertices), a, b, w, k_thresh, min_size)
