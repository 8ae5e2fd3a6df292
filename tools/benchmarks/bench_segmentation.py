"""Benchmark the graph cut on real ScanNet data, on one CPU core.

Mesh mode on ``scannet-raw/scans/scene0000_00/scene0000_00_vh_clean_2.ply`` (scored against the released
``segs.json``) and point-cloud mode on ``scannet-real/train/scene0000_00/coord.npy`` (the same scan's mesh
vertices in the same order, axis-aligned, so scored against the same file). Prints segment count, ARI
and the median of ``--repeats`` runs per backend. Data: ``--data`` or ``<repo>/../shared/data``.
Usage: ``python tools/benchmarks/bench_segmentation.py [--repeats 5] [--backends compiled python]``.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy is imported
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from pointcept.datasets.preprocessing import segmentation as seg  # noqa: E402
from pointcept.datasets.preprocessing.ply import read_ply  # noqa: E402
from timing import median_time  # noqa: E402  (this folder)

SCAN = "scannet-raw/scans/scene0000_00/scene0000_00_vh_clean_2.ply"
SEGS = "scannet-raw/scans/scene0000_00/scene0000_00_vh_clean_2.0.010000.segs.json"
CLOUD = "scannet-real/train/scene0000_00/coord.npy"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", nargs="*", default=["compiled", "python"])
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not (data / SCAN).is_file():
        print(f"no real data at {data} (expected {SCAN}); nothing to benchmark")
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    seg.get_backend("auto")  # compile outside the timings
    mesh = read_ply(data / SCAN)
    official = np.asarray(json.loads((data / SEGS).read_text())["segIndices"])
    vertices, faces = mesh["vertices"], mesh["faces"]
    print(f"mesh {SCAN}: {len(vertices)} vertices, {len(faces)} faces; official: "
          f"{len(np.unique(official))} segments; 1 core, median of {args.repeats}")
    results = {}
    for precision in ("float32", "float64"):
        for backend in args.backends:
            t, labels = median_time(
                lambda: seg.segment_mesh(vertices, faces, precision=precision, backend=backend), args.repeats
            )
            results[(precision, backend)] = labels
            ari = seg.adjusted_rand_index(labels, official)
            print(f"  mesh  {precision} {backend:9s} segments {labels.max() + 1:4d}  ARI {ari:.4f}  "
                  f"time {t:.3f} s")
        if len(args.backends) > 1:
            same = all(np.array_equal(results[(precision, args.backends[0])], results[(precision, b)])
                       for b in args.backends)
            print(f"  mesh  {precision} backends give identical labels: {same}")
    coord_path = data / CLOUD
    if not coord_path.is_file():
        print(f"no {CLOUD}; point-cloud benchmark skipped")
        return 0
    coord = np.load(coord_path)
    print(f"point cloud {CLOUD}: {len(coord)} points; defaults k_neighbors={seg.PC_K_NEIGHBORS} "
          f"normal_k={seg.PC_NORMAL_K} k_thresh={seg.PC_K_THRESH} seg_min_verts={seg.PC_SEG_MIN_VERTS}")
    t_normals, normals = median_time(lambda: seg.point_cloud_normals(coord), args.repeats)
    t_graph, _ = median_time(lambda: seg.knn_edges(coord, seg.PC_K_NEIGHBORS), args.repeats)
    print(f"  normals (PCA) {t_normals:.3f} s, kNN graph {t_graph:.3f} s")
    pc_results = {}
    for backend in args.backends:
        t, labels = median_time(
            lambda: seg.segment_point_cloud(coord, normals, backend=backend), args.repeats
        )
        pc_results[backend] = labels
        ari = seg.adjusted_rand_index(labels, official) if len(labels) == len(official) else float("nan")
        print(f"  cloud {backend:9s} segments {labels.max() + 1:4d}  ARI {ari:.4f}  "
              f"time {t:.3f} s (graph + cut, normals given)")
    if len(args.backends) > 1:
        same = all(np.array_equal(pc_results[args.backends[0]], pc_results[b]) for b in args.backends)
        print(f"  cloud backends give identical labels: {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
