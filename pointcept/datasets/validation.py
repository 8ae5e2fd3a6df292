"""Checks of per-point arrays: one table of what each kind of file must hold, one function that applies it.

Why: data that is wrong but readable (labels stored as float, ``(N, 1)`` label arrays, RGBA colours,
coordinates of 1e30 from a corrupt file, labels past the class count) used to load silently and fail
much later with an error that names neither scene nor file, or not at all (a float ``-1`` ignore label
cast to a class). Every loader (``DefaultDataset``, the SUN RGB-D frames, the ScanNet/S3DIS converters)
checks its arrays with :func:`check_point_array` at load time, so the message names the file and says
what was expected.

Decisions (see ``POINT_FILE_SPECS``):

* labels (``segment``, ``instance``, ``superpoint``) must have an integer dtype and shape ``(N,)``: a
  float file is an error even when its values are whole numbers (cast it and save it again; a silent
  cast turned ``-0.9`` into class 0), and ``(N, 1)`` / ``(N, 2)`` are errors, not reshaped (a second
  column may be a second label set; guessing is how data goes silently wrong);
* ``segment`` values are ``-1`` (or the dataset's ``ignore_index``) or ``0 .. num_classes - 1`` when
  ``num_classes`` is known; instance and superpoint ids are ``>= -1`` (-1: none);
* ``coord`` is float ``(N, 3)``, finite and within ``±coord_limit`` metres (default :data:`COORD_LIMIT`,
  1e4 m: indoor scans are tens of metres; raise it for geo-referenced data);
* ``color`` is ``(N, 3)`` in 0..255, integer or float; float colours that all lie in 0..1 and are not
  whole numbers are most likely the 0..1 convention: that is a :class:`SceneDataWarning`, not an error
  and not rescaled (the pipeline's colour transforms expect 0..255: multiply by 255 and save again);
* ``normal`` is float ``(N, 3)`` and finite; ``strength`` is ``(N,)`` or ``(N, 1)`` and finite.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

__all__ = [
    "COORD_LIMIT", "POINT_FILE_SPECS", "PointFileSpec", "SceneDataError", "SceneDataWarning",
    "check_point_array", "check_scene_arrays",
]

#: default plausibility bound of coordinates (metres, per axis)
COORD_LIMIT = 1e4
#: how many bad values / rows a message quotes
MAX_QUOTED = 5


class SceneDataError(ValueError):
    """A scene on disk is missing a file or holds inconsistent arrays."""


class SceneDataWarning(UserWarning):
    """A scene's array is usable but probably not what was meant (e.g. 0..1 colours)."""


@dataclass(frozen=True)
class PointFileSpec:
    """What one kind of per-point file must hold.

    ``kinds``: allowed numpy dtype kinds (``"f"`` float, ``"iu"`` integer); ``columns``: allowed shapes,
    ``None`` for ``(N,)`` and ``k`` for ``(N, k)``; ``finite``: no NaN/inf; ``low``/``high``: inclusive
    value range (``None``: unbounded); ``bound``: a named range filled in per dataset (``"coord"``:
    ``±coord_limit``, ``"classes"``: ignore labels or ``0 .. num_classes - 1``); ``what``: for messages.
    """

    what: str
    kinds: str
    columns: tuple[int | None, ...]
    finite: bool = True
    low: float | None = None
    high: float | None = None
    bound: str | None = None


#: data key -> what its file must hold (keys outside this table are only checked for their length)
POINT_FILE_SPECS: dict[str, PointFileSpec] = {
    "coord": PointFileSpec("coordinates", "f", (3,), bound="coord"),
    "color": PointFileSpec("colours", "fiu", (3,), low=0, high=255),
    "normal": PointFileSpec("normals", "f", (3,)),
    "strength": PointFileSpec("strengths", "fiu", (None, 1)),
    "segment": PointFileSpec("semantic labels", "iu", (None,), low=-1, bound="classes"),
    "instance": PointFileSpec("instance ids", "iu", (None,), low=-1),
    "superpoint": PointFileSpec("segment ids", "iu", (None,), low=-1),
}

_KIND_TEXT = {"f": "a float dtype", "iu": "an integer dtype", "fiu": "a numeric (integer or float) dtype"}


def _shape_text(columns: Sequence[int | None]) -> str:
    return " or ".join("(N,)" if c is None else f"(N, {c})" for c in columns)


def _rows(mask: np.ndarray) -> str:
    """``rows 3, 17, ...`` of the first bad entries (a row is a point index, 0-based)."""
    rows = np.flatnonzero(mask.reshape(len(mask), -1).any(axis=1))
    text = ", ".join(str(r) for r in rows[:MAX_QUOTED])
    return f"row{'s' if len(rows) > 1 else ''} {text}{', ...' if len(rows) > MAX_QUOTED else ''}"


def _values(values: np.ndarray) -> str:
    unique = np.unique(values)
    text = ", ".join(f"{v:g}" if isinstance(v, (float, np.floating)) else str(v) for v in unique[:MAX_QUOTED])
    return text + (f", ... ({len(unique)} distinct)" if len(unique) > MAX_QUOTED else "")


def check_point_array(
    key: str,
    array: np.ndarray,
    name: str,
    num_points: int | None = None,
    num_classes: int | None = None,
    ignore_index: int = -1,
    coord_limit: float = COORD_LIMIT,
) -> list[str]:
    """Check one per-point array against ``POINT_FILE_SPECS[key]``; raise :class:`SceneDataError`.

    ``name`` (the file, or file and field) starts every message. ``num_points``: the length it must
    have (the scene's coordinate count); ``num_classes``: ``segment`` values must then be ``-1``,
    ``ignore_index`` or ``0 .. num_classes - 1``. Returns the warnings (also issued as
    :class:`SceneDataWarning`). Keys outside the table only get the length check.
    """
    array = np.asarray(array)
    if num_points is not None and (array.ndim == 0 or len(array) != num_points):
        got = "a scalar" if array.ndim == 0 else f"{len(array)} entries"
        raise SceneDataError(f"{name}: has {got} but the scene has {num_points} points")
    spec = POINT_FILE_SPECS.get(key)
    if spec is None:
        return []
    kind = array.dtype.kind
    if kind not in spec.kinds:
        message = f"{name}: {spec.what} must have {_KIND_TEXT[spec.kinds]}, got {array.dtype}"
        if kind == "f" and "i" in spec.kinds:
            whole = bool(np.isfinite(array).all() and (array == np.round(array)).all())
            message += (" (the values are whole numbers: cast with array.astype(np.int32) and save it "
                        "again; float files are not cast silently)" if whole
                        else f" with non-integer values at {_rows(array != np.round(array))}")
        raise SceneDataError(message)
    columns = None if array.ndim == 1 else (array.shape[1] if array.ndim == 2 else -1)
    if columns not in spec.columns:
        message = f"{name}: {spec.what} must have shape {_shape_text(spec.columns)}, got {array.shape}"
        if key == "color" and columns == 4:
            message += " (RGBA? keep the first three columns)"
        elif spec.columns == (None,) and array.ndim == 2:
            message += " (one value per point; not reshaped automatically)"
        raise SceneDataError(message)
    if len(array) == 0:
        return []
    if spec.finite and kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            raise SceneDataError(f"{name}: NaN or infinite {spec.what} at {_rows(bad)}")
    low, high = spec.low, spec.high
    if spec.bound == "coord":
        low, high = -coord_limit, coord_limit
        allowed = (f"beyond ±{coord_limit:g} m (the plausibility bound coord_limit: a corrupt file? raise "
                   "coord_limit if the values are real)")
    elif low is None and high is None:
        allowed = ""
    elif high is None:
        allowed = f"below {low:g}"
    elif low is None:
        allowed = f"above {high:g}"
    else:
        allowed = f"outside {low:g}..{high:g}"
    if low is not None or high is not None:
        bad = np.zeros(array.shape, dtype=bool)
        if low is not None:
            bad |= array < low
        if high is not None:
            bad |= array > high
        if spec.bound == "classes":
            bad &= array != ignore_index
        if bad.any():
            count = int(bad.reshape(len(array), -1).any(axis=1).sum())
            raise SceneDataError(f"{name}: {count} points have {spec.what} {allowed}: "
                                 f"values {_values(array[bad])} at {_rows(bad)}")
    if spec.bound == "classes" and num_classes is not None:
        valid = (array >= 0) & (array < num_classes)
        bad = ~valid & (array != -1) & (array != ignore_index)
        if bad.any():
            ignore = "-1" if ignore_index == -1 else f"-1 or {ignore_index}"
            raise SceneDataError(
                f"{name}: {int(bad.sum())} labels are neither {ignore} (ignore) nor a class "
                f"0..{num_classes - 1} ({num_classes} classes): values {_values(array[bad])} at {_rows(bad)}"
            )
    found: list[str] = []
    if key == "color" and kind == "f" and array.max() <= 1.0 and (array != np.round(array)).any():
        found.append(f"{name}: float colours all within 0..1; colours are expected in 0..255 "
                     "(used as they are, not rescaled: multiply by 255 and save again if they are 0..1)")
    for message in found:
        warnings.warn(message, SceneDataWarning, stacklevel=2)
    return found


def check_scene_arrays(
    data: Mapping[str, np.ndarray],
    names: Mapping[str, str],
    num_classes: int | None = None,
    ignore_index: int = -1,
    coord_limit: float = COORD_LIMIT,
    point_keys: Sequence[str] = tuple(POINT_FILE_SPECS),
) -> list[str]:
    """Check every per-point array of one scene: ``coord`` first (non-empty), then the others against it.

    ``names``: key -> file name for messages. ``point_keys``: keys whose arrays must have one entry per
    point. Returns the warnings of :func:`check_point_array`.
    """
    coord = np.asarray(data["coord"])
    coord_name = names["coord"]
    if coord.ndim != 2 or coord.shape[1] != 3:
        raise SceneDataError(f"{coord_name}: expected shape (N, 3), got {coord.shape}")
    if len(coord) == 0:
        raise SceneDataError(f"{coord_name}: the scene is empty (0 points)")
    if coord.dtype.kind == "f" and not np.isfinite(coord).all():
        bad = int((~np.isfinite(coord).all(axis=1)).sum())
        raise SceneDataError(f"{coord_name}: {bad} points have NaN or infinite coordinates")
    found = check_point_array("coord", coord, coord_name, coord_limit=coord_limit)
    for key, array in data.items():
        if key == "coord" or key not in point_keys:
            continue
        array = np.asarray(array)
        if array.ndim == 0 or len(array) != len(coord):
            got = "a scalar" if array.ndim == 0 else f"{len(array)} entries"
            raise SceneDataError(
                f"{names[key]}: has {got} but {os.path.basename(coord_name)} has {len(coord)} points"
            )
        found += check_point_array(key, array, names[key], num_classes=num_classes, ignore_index=ignore_index,
                                   coord_limit=coord_limit)
    return found
