"""Optimizer registry; ``param_dicts`` give parameter groups their own learning-rate scale."""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from .registry import Registry

OPTIMIZERS = Registry("optimizers")
for _cls in (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW):
    OPTIMIZERS.register_module(module=_cls)


def build_optimizer(cfg: dict[str, Any], model: nn.Module, param_dicts: Sequence[dict] | None = None):
    """Build ``cfg`` over the trainable parameters of ``model``.

    ``param_dicts=[dict(keyword="backbone", lr_scale=0.1)]`` puts parameters whose name contains the keyword
    into their own group with ``lr * lr_scale`` (first matching keyword wins).
    """
    cfg = dict(cfg)
    base_lr = cfg.get("lr")
    groups: list[dict] = [{"names": [], "params": []}]
    for spec in param_dicts or []:
        if base_lr is None:
            raise KeyError("optimizer needs 'lr' to apply param_dicts lr_scale")
        groups.append({"names": [], "params": [], "lr": base_lr * spec.get("lr_scale", 1.0), "keyword": spec["keyword"]})
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        group = next((g for g in groups[1:] if g["keyword"] in name), groups[0])
        group["names"].append(name)
        group["params"].append(param)
    param_groups = [{k: v for k, v in g.items() if k not in ("names", "keyword")} for g in groups if g["params"]]
    if not param_groups:
        raise ValueError("the model has no trainable parameters")
    return OPTIMIZERS.build(cfg, params=param_groups)
