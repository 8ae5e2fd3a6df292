"""Minimal PLY reader (ascii / binary little- and big-endian) for meshes and point clouds.

Why our own: raw ScanNet meshes are PLY files and we do not want open3d/plyfile as hard dependencies for
preprocessing. Only what scan preprocessing needs is supported: any number of elements with scalar and
list properties. Errors are :class:`PlyError` and always name the file.

Values are never wrapped or truncated silently: an ascii value that does not fit its declared integer
type (``300`` for a ``uchar``, ``1.5`` for an ``int``) is an error, and so are vertex colours outside
0..255. Colours stored as ``uchar`` are used as they are; other integer types and whole-number floats
are accepted within 0..255; float colours with fractions that all lie in 0..1 are the 0..1 convention
and scaled to 0..255 (rounded).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["PlyError", "read_ply"]

_TYPES = {
    "char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1",
    "short": "i2", "int16": "i2", "ushort": "u2", "uint16": "u2",
    "int": "i4", "int32": "i4", "uint": "u4", "uint32": "u4",
    "float": "f4", "float32": "f4", "double": "f8", "float64": "f8",
}
_FORMATS = {"ascii": None, "binary_little_endian": "<", "binary_big_endian": ">"}


class PlyError(ValueError):
    """A PLY file that cannot be read: bad header, truncated or corrupt body."""


class _Element:
    def __init__(self, name: str, count: int) -> None:
        self.name = name
        self.count = count
        # (name, value dtype, list-count dtype or None)
        self.properties: list[tuple[str, str, str | None]] = []


def _parse_header(handle, path: str) -> tuple[str | None, list[_Element], int]:
    """Return (byte-order prefix or None for ascii, elements, byte offset of the body)."""
    first = handle.readline()
    if first.strip() != b"ply":
        raise PlyError(f"{path}: not a PLY file (first line is {first[:20]!r}, expected 'ply')")
    fmt: str | None = ""
    elements: list[_Element] = []
    while True:
        raw = handle.readline()
        if not raw:
            raise PlyError(f"{path}: truncated header (no 'end_header' line)")
        words = raw.decode("ascii", errors="replace").split()
        if not words or words[0] in ("comment", "obj_info"):
            continue
        key = words[0]
        if key == "end_header":
            break
        if key == "format":
            if len(words) < 2 or words[1] not in _FORMATS:
                raise PlyError(f"{path}: unsupported PLY format line {raw.strip()!r}")
            fmt = _FORMATS[words[1]]
        elif key == "element":
            try:
                elements.append(_Element(words[1], int(words[2])))
            except (IndexError, ValueError):
                raise PlyError(f"{path}: bad element line {raw.strip()!r}") from None
        elif key == "property":
            if not elements:
                raise PlyError(f"{path}: property before any element: {raw.strip()!r}")
            try:
                if words[1] == "list":
                    elements[-1].properties.append((words[4], _TYPES[words[3]], _TYPES[words[2]]))
                else:
                    elements[-1].properties.append((words[2], _TYPES[words[1]], None))
            except (IndexError, KeyError):
                raise PlyError(f"{path}: bad property line {raw.strip()!r}") from None
        else:
            raise PlyError(f"{path}: unknown header keyword {key!r}")
    if fmt == "":
        raise PlyError(f"{path}: header has no 'format' line")
    return fmt, elements, handle.tell()


def _read_binary(buf: memoryview, offset: int, element: _Element, order: str, path: str):
    """Read one element; fast path when every list of the element has the same length."""
    props = element.properties
    if element.count == 0:
        return {name: np.zeros(0, dtype=order + vt) for name, vt, ct in props}, offset
    if all(ct is None for _, _, ct in props):
        dtype = np.dtype([(name, order + vt) for name, vt, _ in props])
        return _structured(buf, offset, dtype, element, path)
    # Guess fixed list lengths from the first row, then verify every row has them.
    lengths, pos = [], offset
    for name, vt, ct in props:
        if ct is None:
            pos += np.dtype(vt).itemsize
            continue
        need = np.dtype(ct).itemsize
        if pos + need > len(buf):
            raise PlyError(f"{path}: truncated in element {element.name!r} (row 0)")
        n = int(np.frombuffer(buf, dtype=order + ct, count=1, offset=pos)[0])
        lengths.append(n)
        pos += need + n * np.dtype(vt).itemsize
    fields, li = [], 0
    for name, vt, ct in props:
        if ct is None:
            fields.append((name, order + vt))
        else:
            fields.append((f"__count_{name}", order + ct))
            fields.append((name, order + vt, (lengths[li],)))
            li += 1
    dtype = np.dtype(fields)
    size = dtype.itemsize * element.count
    if offset + size <= len(buf):
        rows = np.frombuffer(buf, dtype=dtype, count=element.count, offset=offset)
        li, ok = 0, True
        for name, _, ct in props:
            if ct is not None:
                ok &= bool(np.all(rows[f"__count_{name}"] == lengths[li]))
                li += 1
        if ok:
            return {name: np.array(rows[name]) for name, _, _ in props}, offset + size
    return _read_binary_rows(buf, offset, element, order, path)


def _structured(buf: memoryview, offset: int, dtype: np.dtype, element: _Element, path: str):
    size = dtype.itemsize * element.count
    if offset + size > len(buf):
        raise PlyError(
            f"{path}: truncated: element {element.name!r} needs {size} bytes at offset {offset}, "
            f"file has only {len(buf) - offset} left"
        )
    rows = np.frombuffer(buf, dtype=dtype, count=element.count, offset=offset)
    return {name: np.array(rows[name]) for name in dtype.names}, offset + size


def _read_binary_rows(buf: memoryview, offset: int, element: _Element, order: str, path: str):
    """Slow path for ragged lists (e.g. mixed triangles and quads): one row at a time."""
    out: dict[str, list] = {name: [] for name, _, _ in element.properties}
    pos = offset
    for row in range(element.count):
        for name, vt, ct in element.properties:
            try:
                if ct is None:
                    out[name].append(np.frombuffer(buf, dtype=order + vt, count=1, offset=pos)[0])
                    pos += np.dtype(vt).itemsize
                else:
                    n = int(np.frombuffer(buf, dtype=order + ct, count=1, offset=pos)[0])
                    pos += np.dtype(ct).itemsize
                    out[name].append(np.frombuffer(buf, dtype=order + vt, count=n, offset=pos).copy())
                    pos += n * np.dtype(vt).itemsize
            except ValueError:
                raise PlyError(f"{path}: truncated in element {element.name!r} at row {row}") from None
    result = {}
    for name, vt, ct in element.properties:
        result[name] = np.asarray(out[name], dtype=vt) if ct is None else _ragged(out[name], vt)
    return result, pos


def _ragged(rows: list, vt: str):
    lengths = {len(r) for r in rows}
    if len(lengths) == 1:
        return np.stack(rows).astype(vt)
    arr = np.empty(len(rows), dtype=object)
    arr[:] = [np.asarray(r, dtype=vt) for r in rows]
    return arr


def _cast(values, vt: str, path: str, element: str, prop: str) -> np.ndarray:
    """``values`` (ascii numbers, float64) as ``vt``; integer types must hold them exactly."""
    values = np.asarray(values, dtype=np.float64)
    if np.dtype(vt).kind in "iu" and values.size:
        info = np.iinfo(vt)
        bad = ~np.isfinite(values) | (values != np.round(values)) | (values < info.min) | (values > info.max)
        if bad.any():
            row = int(np.flatnonzero(bad.reshape(len(bad), -1).any(axis=1))[0])
            value = values.reshape(len(values), -1)[row][bad.reshape(len(bad), -1)[row]][0]
            raise PlyError(f"{path}: corrupt value {value:g} for {np.dtype(vt).name} property {prop!r} of "
                           f"element {element!r} at row {row} "
                           f"(allowed: whole numbers {info.min}..{info.max})")
    return values.astype(vt)


def _read_ascii(text: str, elements: list[_Element], path: str) -> dict[str, dict[str, np.ndarray]]:
    tokens = text.split()
    pos = 0
    result: dict[str, dict[str, np.ndarray]] = {}
    for element in elements:
        props = element.properties
        try:
            if all(ct is None for _, _, ct in props):
                width = len(props)
                need = width * element.count
                if pos + need > len(tokens):
                    raise PlyError(f"{path}: truncated: element {element.name!r} needs {need} values")
                table = np.asarray(tokens[pos:pos + need], dtype=np.float64).reshape(element.count, width)
                pos += need
                result[element.name] = {n: _cast(table[:, i], vt, path, element.name, n)
                                        for i, (n, vt, _) in enumerate(props)}
                continue
            cols: dict[str, list] = {n: [] for n, _, _ in props}
            for _ in range(element.count):
                for name, vt, ct in props:
                    if ct is None:
                        cols[name].append(float(tokens[pos]))
                        pos += 1
                    else:
                        n = int(tokens[pos])
                        cols[name].append([float(t) for t in tokens[pos + 1:pos + 1 + n]])
                        if len(cols[name][-1]) != n:
                            raise IndexError
                        pos += 1 + n
            result[element.name] = {
                n: (_cast(cols[n], vt, path, element.name, n) if ct is None
                    else _ragged([_cast(r, vt, path, element.name, n) for r in cols[n]], vt))
                for n, vt, ct in props
            }
        except PlyError:
            raise
        except IndexError:
            raise PlyError(f"{path}: truncated in element {element.name!r}") from None
        except ValueError as error:
            raise PlyError(f"{path}: corrupt value in element {element.name!r}: {error}") from None
    return result


def _triangles(indices: np.ndarray, path: str) -> np.ndarray:
    """(F, 3) int64 triangles; polygons are fan-triangulated."""
    if len(indices) == 0:  # "element face 0"
        return np.zeros((0, 3), dtype=np.int64)
    if indices.dtype != object:
        indices = indices.reshape(len(indices), -1)
        if indices.shape[1] < 3 and len(indices):
            raise PlyError(f"{path}: faces with fewer than 3 vertices")
        fan = [indices[:, [0, i, i + 1]] for i in range(1, indices.shape[1] - 1)]
        tri = np.stack(fan, axis=1).reshape(-1, 3) if fan else np.zeros((0, 3))
        return tri.astype(np.int64)
    tris = [[poly[0], poly[i], poly[i + 1]] for poly in indices for i in range(1, len(poly) - 1)]
    return np.asarray(tris, dtype=np.int64).reshape(-1, 3)


def _colors(rgb: np.ndarray, path: str) -> np.ndarray:
    """(N, 3) uint8 vertex colours; values outside 0..255 are an error, not wrapped (see the module doc)."""
    if rgb.dtype == np.uint8 or len(rgb) == 0:
        return rgb.astype(np.uint8)
    values = rgb.astype(np.float64)
    if not np.isfinite(values).all():
        raise PlyError(f"{path}: non-finite vertex colours ({rgb.dtype}) at vertex "
                       f"{int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])}")
    fractional = values != np.round(values)
    if rgb.dtype.kind == "f" and fractional.any() and values.min() >= 0 and values.max() <= 1:
        return np.rint(values * 255).astype(np.uint8)  # the 0..1 convention of float colours
    bad = (values < 0) | (values > 255) | fractional
    if bad.any():
        vertex = int(np.flatnonzero(bad.any(axis=1))[0])
        raise PlyError(
            f"{path}: {int(bad.any(axis=1).sum())} vertex colours ({rgb.dtype}) are not whole numbers in "
            f"0..255 (nor all 0..1 floats), e.g. {values[vertex].tolist()} at vertex {vertex}"
        )
    return values.astype(np.uint8)


def read_ply(path: str | os.PathLike) -> dict:
    """Read a PLY file.

    Returns a dict with ``vertices`` (N,3) float32, ``faces`` (F,3) int64 (empty without faces; polygons
    fan-triangulated), ``colors`` (N,3) uint8 when red/green/blue exist (0..1 float colours scaled, values
    outside 0..255 an error), ``normals`` (N,3) float32 when
    nx/ny/nz exist, and ``elements``: every element's raw properties, e.g. ``elements['vertex']['label']``.
    Raises :class:`PlyError` (naming ``path``) for a bad header, truncated or corrupt body or faces that
    index past the vertices.
    """
    path = str(path)
    with open(path, "rb") as handle:
        order, elements, body = _parse_header(handle, path)
        data = handle.read()
    if order is None:
        raw = _read_ascii(data.decode("ascii", errors="replace"), elements, path)
    else:
        buf, offset, raw = memoryview(data), 0, {}
        for element in elements:
            raw[element.name], offset = _read_binary(buf, offset, element, order, path)
        if offset != len(buf) and len(buf) - offset > 1:  # one stray newline byte is tolerated
            raise PlyError(f"{path}: {len(buf) - offset} unexpected bytes after the last element")
    vertex = raw.get("vertex")
    if vertex is None or not all(k in vertex for k in "xyz"):
        raise PlyError(f"{path}: no 'vertex' element with x, y, z")
    out: dict = {"elements": raw}
    out["vertices"] = np.stack([vertex["x"], vertex["y"], vertex["z"]], axis=1).astype(np.float32)
    if all(k in vertex for k in ("red", "green", "blue")):
        out["colors"] = _colors(np.stack([vertex["red"], vertex["green"], vertex["blue"]], axis=1), path)
    if all(k in vertex for k in ("nx", "ny", "nz")):
        out["normals"] = np.stack([vertex["nx"], vertex["ny"], vertex["nz"]], axis=1).astype(np.float32)
    faces = np.zeros((0, 3), dtype=np.int64)
    face = raw.get("face")
    if face is not None:
        key = next((k for k in ("vertex_indices", "vertex_index") if k in face), None)
        if key is None:
            raise PlyError(f"{path}: 'face' element without vertex_indices")
        faces = _triangles(face[key], path)
        if len(faces) and (faces.min() < 0 or faces.max() >= len(out["vertices"])):
            raise PlyError(f"{path}: face indices outside 0..{len(out['vertices']) - 1} (corrupt file)")
    out["faces"] = faces
    return out


def _main() -> None:  # pragma: no cover - tiny CLI for eyeballing a file
    import sys

    for name in sys.argv[1:]:
        mesh = read_ply(name)
        print(Path(name).name, {k: getattr(v, "shape", None) for k, v in mesh.items() if k != "elements"})


if __name__ == "__main__":  # pragma: no cover
    _main()
