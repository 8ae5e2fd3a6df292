"""Instance targets: ids renumbered per sample, centroids and boxes of what the network actually sees.

Put :class:`InstanceParser` after every augmentation and sampling (rotations, scaling, crops, voxel
sampling, dropout): offsets are learnt towards the centroid of the instance's *visible, augmented* points.
Crops and samplings before it keep ``instance`` aligned with ``coord`` through ``index_valid_keys``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .base import TRANSFORMS, Transform, add_point_key


@TRANSFORMS.register_module()
class InstanceParser(Transform):
    """Renumber instances 0..K-1, drop stuff, and attach ``instance_centroid`` (N, 3) and ``bbox`` (K, 8).

    Points whose ``segment`` is in ``segment_ignore_index`` (ignored labels and stuff classes such as wall
    and floor) get instance ``instance_ignore_index``, as do points without an instance. A source instance
    id that spans two classes becomes two instances (one per class), matching the evaluator. Ids are
    assigned in ascending (source id, class) order. ``instance_centroid`` is the mean of the instance's
    points (a point without instance gets its own coordinate, i.e. a zero offset target); ``bbox`` rows
    are (centre xyz, size xyz, heading 0, class index), Pointcept's layout with the class left unshifted.
    """

    def __init__(self, segment_ignore_index: Sequence[int] = (-1, 0, 1), instance_ignore_index: int = -1):
        self.segment_ignore_index = tuple(int(i) for i in segment_ignore_index)
        self.instance_ignore_index = int(instance_ignore_index)

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        for key in ("coord", "segment", "instance"):
            if key not in data:
                raise KeyError(f"InstanceParser: sample {data.get('name', '?')} has no {key!r}")
        coord = np.asarray(data["coord"])
        segment = np.asarray(data["segment"]).reshape(-1).astype(np.int64)
        instance = np.asarray(data["instance"]).reshape(-1).astype(np.int64)
        if not len(coord) == len(segment) == len(instance):
            raise ValueError(
                f"InstanceParser: sample {data.get('name', '?')} has {len(coord)} coord, "
                f"{len(segment)} segment "
                f"and {len(instance)} instance entries"
            )
        thing = ~np.isin(segment, self.segment_ignore_index) & (instance != self.instance_ignore_index)
        pairs, inverse = np.unique(
            np.stack([instance[thing], segment[thing]], axis=1), axis=0, return_inverse=True
        )
        inverse = inverse.reshape(-1)
        count = len(pairs)
        new_instance = np.full(len(coord), self.instance_ignore_index, dtype=np.int64)
        new_instance[thing] = inverse
        points = coord[thing].astype(np.float64)
        sizes = np.bincount(inverse, minlength=count).astype(np.float64)
        centroids = np.stack([np.bincount(inverse, points[:, a], minlength=count) for a in range(3)], axis=1)
        centroids /= np.maximum(sizes, 1)[:, None]
        centroid = coord.astype(np.float64)
        centroid[thing] = centroids[inverse]
        bbox = np.zeros((count, 8), dtype=np.float32)
        if count:
            order = np.argsort(inverse, kind="stable")
            starts = np.searchsorted(inverse[order], np.arange(count))
            low = np.minimum.reduceat(points[order], starts, axis=0)
            high = np.maximum.reduceat(points[order], starts, axis=0)
            bbox[:, 0:3], bbox[:, 3:6], bbox[:, 7] = (low + high) / 2, high - low, pairs[:, 1]
        data["instance"] = new_instance
        data["instance_centroid"] = centroid.astype(coord.dtype if coord.dtype.kind == "f" else np.float32)
        add_point_key(data, "instance")
        add_point_key(data, "instance_centroid")
        data["bbox"] = bbox
        return data


__all__ = ["InstanceParser"]
