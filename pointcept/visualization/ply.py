"""Coloured point clouds as binary PLY, the format every 3D viewer (MeshLab, CloudCompare, open3d) opens.

Binary little-endian keeps files small; extra per-point scalars (group id, confidence, similarity) are
written as additional vertex properties, so a viewer can re-colour by them. Written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pointcept.utils.io import atomic_path

#: numpy kind -> PLY type name, for the extra scalar properties
_PLY_TYPES = {
    np.dtype("int8"): "char", np.dtype("uint8"): "uchar", np.dtype("int16"): "short",
    np.dtype("uint16"): "ushort", np.dtype("int32"): "int", np.dtype("uint32"): "uint",
    np.dtype("float32"): "float", np.dtype("float64"): "double",
}  # fmt: skip


def _scalar_dtype(name: str, values: np.ndarray) -> np.dtype:
    """Map an array to a PLY-representable dtype (int64 -> int32, bool -> uint8, other floats -> float32)."""
    dtype = values.dtype
    if dtype == np.bool_:
        return np.dtype("uint8")
    if dtype in _PLY_TYPES:
        return dtype
    if np.issubdtype(dtype, np.integer):
        if values.size and (values.min() < np.iinfo(np.int32).min or values.max() > np.iinfo(np.int32).max):
            raise ValueError(f"write_ply: property {name!r} does not fit in int32")
        return np.dtype("int32")
    if np.issubdtype(dtype, np.floating):
        return np.dtype("float32")
    raise TypeError(f"write_ply: property {name!r} has unsupported dtype {dtype}")


def write_ply(
    path: str | os.PathLike,
    coord: np.ndarray,
    color: np.ndarray | None = None,
    scalars: dict[str, np.ndarray] | None = None,
) -> Path:
    """Write ``coord`` (N, 3) as float32 x/y/z, ``color`` (N, 3, 0-255) as uchar red/green/blue and each
    ``scalars`` entry (N,) as a property of that name; returns the path."""
    coord = np.asarray(coord).reshape(-1, 3)
    n = len(coord)
    fields: list[tuple[str, np.dtype, str]] = [(axis, np.dtype("<f4"), "float") for axis in "xyz"]
    columns: dict[str, np.ndarray] = {"x": coord[:, 0], "y": coord[:, 1], "z": coord[:, 2]}
    if color is not None:
        color = np.asarray(color).reshape(-1, 3)
        if len(color) != n:
            raise ValueError(f"write_ply: {len(color)} colours for {n} points")
        for channel, name in enumerate(("red", "green", "blue")):
            fields.append((name, np.dtype("u1"), "uchar"))
            columns[name] = np.clip(np.round(color[:, channel]), 0, 255)
    for name, values in (scalars or {}).items():
        values = np.asarray(values).reshape(-1)
        if len(values) != n:
            raise ValueError(f"write_ply: property {name!r} has {len(values)} values for {n} points")
        if name in columns or not name.isidentifier():
            raise ValueError(f"write_ply: bad or duplicate property name {name!r}")
        dtype = _scalar_dtype(name, values)
        fields.append((name, dtype.newbyteorder("<"), _PLY_TYPES[dtype]))
        columns[name] = values
    rows = np.empty(n, dtype=np.dtype([(name, dtype) for name, dtype, _ in fields]))
    for name, _, _ in fields:
        rows[name] = columns[name]
    header = ["ply", "format binary_little_endian 1.0", "comment written by pointcept.visualization",
              f"element vertex {n}"]
    header += [f"property {ply_type} {name}" for name, _, ply_type in fields]
    header.append("end_header")
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(("\n".join(header) + "\n").encode("ascii"))
            handle.write(rows.tobytes())
    return path
