"""Add graph-cut geometry segments to a Pointcept data root: ``python tools/preprocess_segments.py ROOT``.

Every ``ROOT/<split>/<scene>/coord.npy`` gets ``<name>.npy`` (int32 segment id per point, default name
``superpoint``) and ``normal.npy`` when missing. Resumable (existing outputs are skipped unless
``--overwrite``); a failing scene is reported in the final summary and never stops the others; the exit
status is 1 when any scene failed. Logic: ``pointcept/datasets/preprocessing/add_segments.py``.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pointcept.datasets.preprocessing import segmentation as seg  # noqa: E402
from pointcept.datasets.preprocessing.add_segments import SegmentParams, add_segments  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="data root holding <split>/<scene>/coord.npy")
    parser.add_argument("--name", default="superpoint", help="output file stem (default: superpoint)")
    parser.add_argument("--splits", nargs="*", default=None, help="only these split folders (default: all)")
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1),
                        help="worker processes (default: min(4, CPUs)); 1 runs in-process")
    parser.add_argument("--overwrite", action="store_true", help="recompute scenes that have the output")
    parser.add_argument("--no-save-normals", action="store_true", help="do not write missing normal.npy")
    parser.add_argument("--k-neighbors", type=int, default=seg.PC_K_NEIGHBORS, help="kNN graph degree")
    parser.add_argument("--k-thresh", type=float, default=seg.PC_K_THRESH, help="graph cut threshold k")
    parser.add_argument("--seg-min-verts", type=int, default=seg.PC_SEG_MIN_VERTS, help="min segment size")
    parser.add_argument("--normal-k", type=int, default=seg.PC_NORMAL_K, help="neighbours for normals")
    parser.add_argument("--normal-method", choices=["pca", "open3d"], default="pca")
    parser.add_argument("--color-weight", type=float, default=0.0,
                        help="weight of the colour difference in edge weights (default 0: geometry only)")
    parser.add_argument("--backend", choices=["auto", "compiled", "python"], default=None,
                        help="graph cut backend (default: $POINTCEPT_GRAPH_CUT_BACKEND or auto)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    params = SegmentParams(
        name=args.name, overwrite=args.overwrite, save_normals=not args.no_save_normals,
        k_neighbors=args.k_neighbors, k_thresh=args.k_thresh, seg_min_verts=args.seg_min_verts,
        normal_k=args.normal_k, normal_method=args.normal_method, color_weight=args.color_weight,
        backend=args.backend,
    )
    summary = add_segments(
        args.root, params, workers=args.workers, splits=args.splits, progress=not args.quiet
    )
    print(summary.text())
    return 1 if summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
