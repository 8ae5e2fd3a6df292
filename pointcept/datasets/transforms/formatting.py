"""The end of a pipeline: tensors, the model's input dict (``Collect``), and key bookkeeping.

``Copy`` snapshots an array under a new name *without* declaring it per-point, so a later crop or voxel
sampling leaves it at full resolution (``origin_segment`` is how the tester scores every original point).
"""

from __future__ import annotations

import copy
from typing import Any, Mapping, Sequence

import numpy as np
import torch

from .base import TRANSFORMS, Transform, point_keys


def to_tensor(value: Any) -> Any:
    """numpy -> torch (floats to float32, integers to int64, bools kept), recursively.

    Strings (also numpy string/object arrays) and ``None`` stay as they are; lists and tuples become lists.
    """
    if isinstance(value, torch.Tensor) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return torch.tensor([bool(value)])
    if isinstance(value, (int, np.integer)):
        return torch.tensor([int(value)], dtype=torch.long)
    if isinstance(value, (float, np.floating)):
        return torch.tensor([float(value)], dtype=torch.float32)
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        if array.dtype == np.bool_:
            return torch.from_numpy(array)
        if np.issubdtype(array.dtype, np.integer):
            return torch.from_numpy(array).long()
        if np.issubdtype(array.dtype, np.floating):
            return torch.from_numpy(array).float()
        return value  # strings and objects: nothing to convert
    if isinstance(value, Mapping):
        return {k: to_tensor(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_tensor(v) for v in value]
    raise TypeError(f"ToTensor: cannot convert a value of type {type(value).__name__}")


@TRANSFORMS.register_module()
class ToTensor(Transform):
    """Convert every numpy value of the sample to a torch tensor (see :func:`to_tensor`)."""

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        return to_tensor(data)


def _missing(what: str, key: str, data: Mapping) -> KeyError:
    return KeyError(f"Collect: {what} {key!r} is not in the sample; it has: {', '.join(map(str, data))}")


@TRANSFORMS.register_module()
class Collect(Transform):
    """Build the model input: the listed ``keys``, point counts as offsets, and concatenated features.

    ``offset_keys_dict`` maps an output name to the key whose length it records (default
    ``{"offset": "coord"}``); each becomes ``tensor([N])`` and ``point_collate_fn`` turns it into batch
    offsets. Every ``<name>_keys=[...]`` argument (usually ``feat_keys``) becomes ``<name>``: those arrays
    as float, concatenated along dim 1 (a 1-D array counts as one column).
    """

    def __init__(
        self,
        keys: str | Sequence[str],
        offset_keys_dict: Mapping[str, str] | None = None,
        feat_keys: Sequence[str] | None = None,
        **kwargs: Sequence[str],
    ):
        for name in kwargs:
            if not name.endswith("_keys"):
                raise TypeError(f"Collect: unexpected argument {name!r}; extra arguments must end in '_keys'")
        self.keys = [keys] if isinstance(keys, str) else list(keys)
        self.offset_keys_dict = dict(offset="coord") if offset_keys_dict is None else dict(offset_keys_dict)
        concat = dict(feat_keys=feat_keys, **kwargs) if feat_keys is not None else dict(kwargs)
        self.concat_keys = {}
        for name, keys_ in concat.items():
            self.concat_keys[name[: -len("_keys")]] = [keys_] if isinstance(keys_, str) else list(keys_)

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        out = {}
        for key in self.keys:
            if key not in data:
                raise _missing("key", key, data)
            out[key] = data[key]
        for name, key in self.offset_keys_dict.items():
            if key not in data:
                raise _missing(f"offset source of {name!r}", key, data)
            out[name] = torch.tensor([len(data[key])], dtype=torch.long)
        for name, keys in self.concat_keys.items():
            parts = []
            for key in keys:
                if key not in data:
                    raise _missing(f"{name} key", key, data)
                part = to_tensor(data[key]).float()
                parts.append(part[:, None] if part.dim() == 1 else part)
            lengths = {k: len(p) for k, p in zip(keys, parts)}
            if len(set(lengths.values())) > 1:
                raise ValueError(f"Collect: {name} keys have different point counts: {lengths}")
            out[name] = torch.cat(parts, dim=1)
        return out


def _copy_value(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    return copy.deepcopy(value)


@TRANSFORMS.register_module()
class Copy(Transform):
    """Copy ``data[src]`` to ``data[dst]`` for each ``src: dst``; the copy is never re-indexed later."""

    def __init__(self, keys_dict: Mapping[str, str] | None = None):
        default = dict(coord="origin_coord", segment="origin_segment")
        self.keys_dict = default if keys_dict is None else dict(keys_dict)

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        for src, dst in self.keys_dict.items():
            if src not in data:
                raise KeyError(f"Copy: key {src!r} is not in the sample; it has: {', '.join(map(str, data))}")
            data[dst] = _copy_value(data[src])
        # declare the per-point keys explicitly, without the copies (the default list could name one)
        copies = set(self.keys_dict.values())
        declared = data["index_valid_keys"] if "index_valid_keys" in data else point_keys(data)
        data["index_valid_keys"] = [k for k in declared if k not in copies]
        return data


@TRANSFORMS.register_module()
class Update(Transform):
    """Set ``data[key] = value`` for each item of ``keys_dict`` (a fresh copy per sample)."""

    def __init__(self, keys_dict: Mapping[str, Any] | None = None):
        self.keys_dict = dict(keys_dict or {})

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        for key, value in self.keys_dict.items():
            data[key] = _copy_value(value)
        return data


@TRANSFORMS.register_module()
class Add(Update):
    """Pointcept's alias of ``Update``: add (or overwrite) constant entries such as a dataset tag."""
