"""The demo rooms are bit-identical to the ones ``GENERATOR_VERSION`` 1 always produced.

The hashes were computed on the single-module generator (``pointcept/datasets/demo.py``) before it became
the ``pointcept.datasets.demo`` package; they stay the same across numpy's SIMD levels (checked with
``NPY_DISABLE_CPU_FEATURES``) and thread counts. If one changes, the same seed now gives another room:
a data set written earlier under the same ``meta.json`` generator version no longer matches, so either
restore the old behaviour or bump ``GENERATOR_VERSION`` and recompute these values.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from pointcept.datasets.demo import GENERATOR_VERSION, generate_room, scene_seed


def array_hash(array: np.ndarray) -> str:
    """First 16 hex digits of sha256 over dtype, shape and bytes: any change of values or layout shows."""
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(array.dtype.str.encode() + str(array.shape).encode() + array.tobytes())
    return digest.hexdigest()[:16]


ROOMS = {
    "seed0": (dict(seed=0), {
        "boxes": "d9c8c336d23ca469", "color": "38848d47bceda3b2", "coord": "0527f49d91478da9",
        "instance": "5866fb6d3ae72b99", "normal": "d1d0124ea959356a", "segment": "8620398ce3397a76",
        "superpoint": "e5bdedabfa997f8f",
    }),
    "seed7_sparse": (dict(seed=7, points_per_m2=80.0), {
        "boxes": "041745828f873343", "color": "17de054be4a4be89", "coord": "84c89b26162be7de",
        "instance": "f7d80d712a933446", "normal": "c6e8fabd5e90da23", "segment": "1e71b177784e32c4",
        "superpoint": "ccd2d36c0573edc4",
    }),
    "seed123_no_holes_6_objects": (dict(seed=123, points_per_m2=60.0, holes=False, num_objects=6), {
        "boxes": "4d5f2df377570898", "color": "086c1bfe5991782a", "coord": "5134952c2b45c7c6",
        "instance": "e303501a834b711c", "normal": "f6f0d0baf38fe63b", "segment": "a217d9be4965a676",
        "superpoint": "1aa825a143ab5f3a",
    }),
    "train_room_0000_sparse": (dict(seed=scene_seed(0, "train", 0), points_per_m2=60.0), {
        "boxes": "15df616a76e724ac", "color": "f57cd47438ad7c13", "coord": "fa153d86ba40293c",
        "instance": "023778fd2e822dec", "normal": "c7212ecfdb17c49d", "segment": "9f801fdaa9b83689",
        "superpoint": "ed0a46a7171ae087",
    }),
}  # fmt: skip


def test_generator_version_is_unchanged():
    assert GENERATOR_VERSION == 1


def test_scene_seeds_are_unchanged():
    assert scene_seed(0, "train", 0) == 7896617691693857887
    assert scene_seed(0, "val", 3) == 5276725955892761082
    assert scene_seed(5, "test", 2) == 5973840254021017552


@pytest.mark.parametrize("name", sorted(ROOMS))
def test_room_arrays_hash_as_before(name):
    kwargs, expected = ROOMS[name]
    room = generate_room(**kwargs)
    assert {key: array_hash(array) for key, array in room.items()} == expected
