"""Task wrappers around a backbone: the trainer reads only ``loss``; testers read ``seg_logits``."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .builder import MODELS, build_model
from .losses import build_criteria


@MODELS.register_module()
class DefaultSegmentor(nn.Module):
    """A backbone that outputs per-point class logits, plus criteria (Pointcept's ``DefaultSegmentor``).

    Returns ``{"loss"}`` in training, ``{"loss", "seg_logits"}`` when labels come with an eval batch and
    ``{"seg_logits"}`` at test time. The state dict is ``backbone.*``, as in Pointcept checkpoints.
    """

    def __init__(self, backbone: dict, criteria: list[dict] | None = None):
        super().__init__()
        self.backbone = build_model(backbone)
        self.criteria = build_criteria(criteria)

    def forward(self, input_dict: dict[str, Any]) -> dict[str, torch.Tensor]:
        seg_logits = self.backbone(input_dict)
        if self.training:
            return {"loss": self.criteria(seg_logits, input_dict["segment"])}
        if "segment" in input_dict:
            return {"loss": self.criteria(seg_logits, input_dict["segment"]), "seg_logits": seg_logits}
        return {"seg_logits": seg_logits}


@MODELS.register_module()
class DefaultSegmentorV2(nn.Module):
    """A feature backbone plus a linear segmentation head (Pointcept's ``DefaultSegmentorV2``).

    Use it when the backbone is shared with other heads (pretraining, linear probing): the head lives in
    ``seg_head.*`` and ``backbone_out_channels`` must match the backbone's feature width.
    """

    def __init__(
        self,
        num_classes: int,
        backbone_out_channels: int,
        backbone: dict,
        criteria: list[dict] | None = None,
        freeze_backbone: bool = False,
    ):
        super().__init__()
        self.backbone = build_model(backbone)
        self.seg_head = nn.Linear(backbone_out_channels, num_classes) if num_classes > 0 else nn.Identity()
        self.criteria = build_criteria(criteria)
        if freeze_backbone:
            for parameter in self.backbone.parameters():
                parameter.requires_grad_(False)

    def forward(self, input_dict: dict[str, Any]) -> dict[str, torch.Tensor]:
        seg_logits = self.seg_head(self.backbone(input_dict))
        if self.training:
            return {"loss": self.criteria(seg_logits, input_dict["segment"])}
        if "segment" in input_dict:
            return {"loss": self.criteria(seg_logits, input_dict["segment"]), "seg_logits": seg_logits}
        return {"seg_logits": seg_logits}
