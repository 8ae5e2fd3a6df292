"""Dataset registry and builder."""

from __future__ import annotations

import inspect
from typing import Any, Mapping

from pointcept.utils.registry import Registry

DATASETS = Registry("datasets")


def build_dataset(cfg: dict[str, Any], **default_args: Any) -> Any:
    """Build a dataset from ``dict(type=..., ...)``; the config itself is not changed."""
    return DATASETS.build(cfg, **default_args)


def build_split_dataset(split_cfg: Mapping[str, Any], data_cfg: Mapping[str, Any]) -> Any:
    """``data.<split>`` built with the config's ``data.num_classes`` as the class count its label files are
    checked against, for a generic dataset (no class list of its own, e.g. ``DefaultDataset``). A dataset
    with its own class list keeps it: there ``data.num_classes`` may count other things (box classes of a
    detection config, while ``segment`` keeps every semantic class)."""
    defaults = {}
    num_classes = data_cfg.get("num_classes")
    cls = DATASETS.get(split_cfg["type"])
    accepts = inspect.signature(cls).parameters
    if (num_classes is not None and "num_classes" in accepts and "num_classes" not in split_cfg
            and not getattr(cls, "CLASS_NAMES", None)):
        defaults["num_classes"] = int(num_classes)
    return DATASETS.build(dict(split_cfg), **defaults)
