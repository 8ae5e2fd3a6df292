"""Dataset registry and builder."""

from __future__ import annotations

from typing import Any

from pointcept.utils.registry import Registry

DATASETS = Registry("datasets")


def build_dataset(cfg: dict[str, Any], **default_args: Any) -> Any:
    """Build a dataset from ``dict(type=..., ...)``; the config itself is not changed."""
    return DATASETS.build(cfg, **default_args)
