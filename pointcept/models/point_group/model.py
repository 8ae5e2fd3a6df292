"""``PG-v1m1``: PointGroup (Jiang et al., CVPR 2020) on any per-point feature backbone.

A semantic head (per-point class logits) and an offset head (each point's shift to its instance centroid)
share the backbone. Training: cross-entropy + L1 offset + direction loss. Inference: dual-set grouping
(:mod:`.clustering`) in torch, so it runs wherever torch runs. Head names (``seg_head``, ``bias_head``) and
the Linear-BN-ReLU-Linear offset head follow Pointcept's ``PG-v1m1``, so its checkpoints load.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from pointcept.models.builder import MODELS, build_model
from pointcept.models.losses import build_criteria
from pointcept.models.utils import offset2batch

from .clustering import CLUSTER_SETS, group_instances
from .losses import offset_losses


@MODELS.register_module("PG-v1m1")
class PointGroup(nn.Module):
    """PointGroup segmentor.

    Args:
        backbone: a per-point feature backbone (``SpUNet-v1m1`` with ``num_classes=0`` by default configs).
        backbone_out_channels: feature width; None reads the backbone's ``out_channels``.
        semantic_num_classes: classes of the semantic head.
        segment_ignore_index: class indices that are never grouped (stuff: wall, floor; -1 is harmless).
        instance_ignore_index: instance id of points without an instance (no offset loss).
        criteria: semantic losses (default: cross-entropy ignoring ``semantic_ignore_index``).
        offset_l1_weight, offset_dir_weight: weights of the two offset losses.
        cluster_radius: neighbour radius of grouping, metres (scale it with the voxel size: ~1.5 voxels).
        cluster_min_points: smallest proposal, in model (voxel) points.
        cluster_sets: coordinates grouped: "original" and/or "shifted" (PointGroup's dual set).
        nms_iou: proposals overlapping a better one by more than this mask IoU are dropped.
        score_threshold: proposals scoring below are dropped.
        bn_momentum: BatchNorm momentum of the offset head.
    """

    def __init__(
        self,
        backbone: dict,
        backbone_out_channels: int | None = None,
        semantic_num_classes: int = 20,
        semantic_ignore_index: int = -1,
        segment_ignore_index: Sequence[int] = (-1, 0, 1),
        instance_ignore_index: int = -1,
        criteria: list[dict] | None = None,
        offset_l1_weight: float = 1.0,
        offset_dir_weight: float = 1.0,
        cluster_radius: float = 0.03,
        cluster_min_points: int = 50,
        cluster_sets: Sequence[str] = CLUSTER_SETS,
        nms_iou: float = 0.3,
        score_threshold: float = 0.0,
        bn_momentum: float = 0.01,
    ):
        super().__init__()
        self.backbone = build_model(backbone)
        channels = backbone_out_channels or getattr(self.backbone, "out_channels", None)
        if not channels:
            raise ValueError(
                "PG-v1m1: set backbone_out_channels (the backbone has no out_channels attribute)"
            )
        self.semantic_num_classes = semantic_num_classes
        self.stuff_classes = tuple(int(c) for c in segment_ignore_index if c >= 0)
        self.instance_ignore_index = instance_ignore_index
        self.offset_l1_weight = offset_l1_weight
        self.offset_dir_weight = offset_dir_weight
        self.cluster_cfg = dict(
            radius=cluster_radius,
            min_points=cluster_min_points,
            cluster_sets=tuple(cluster_sets),
            nms_iou=nms_iou,
            score_threshold=score_threshold,
        )
        self.bias_head = nn.Sequential(
            nn.Linear(channels, channels),
            nn.BatchNorm1d(channels, eps=1e-3, momentum=bn_momentum),
            nn.ReLU(),
            nn.Linear(channels, 3),
        )
        self.seg_head = nn.Linear(channels, semantic_num_classes)
        if criteria is None:
            criteria = [dict(type="CrossEntropyLoss", loss_weight=1.0, ignore_index=semantic_ignore_index)]
        self.criteria = build_criteria(criteria)

    def losses(self, input_dict: dict[str, Any], seg_logits: torch.Tensor, offset_pred: torch.Tensor) -> dict:
        if "instance_centroid" not in input_dict:
            raise KeyError(
                "PG-v1m1 needs 'instance_centroid' with 'instance': add InstanceParser to the pipeline "
                "and 'instance_centroid' to Collect's keys"
            )
        seg_loss = self.criteria(seg_logits, input_dict["segment"])
        l1, direction = offset_losses(
            offset_pred.float(),
            input_dict["coord"].float(),
            input_dict["instance_centroid"].float(),
            input_dict["instance"],
            self.instance_ignore_index,
        )
        loss = seg_loss + self.offset_l1_weight * l1 + self.offset_dir_weight * direction
        return dict(
            loss=loss,
            seg_loss=seg_loss.detach(),
            offset_l1_loss=l1.detach(),
            offset_dir_loss=direction.detach(),
        )

    @torch.no_grad()
    def predict_instances(
        self, input_dict: dict[str, Any], seg_logits: torch.Tensor, offset_pred: torch.Tensor
    ) -> dict:
        probs = F.softmax(seg_logits.float(), dim=-1)
        batch = offset2batch(input_dict["offset"]) if "offset" in input_dict else None
        return group_instances(
            input_dict["coord"].float(),
            offset_pred.float(),
            probs,
            batch,
            stuff_classes=self.stuff_classes,
            **self.cluster_cfg,
        )

    def forward(self, input_dict: dict[str, Any]) -> dict[str, torch.Tensor]:
        feat = self.backbone(input_dict)
        seg_logits = self.seg_head(feat)
        offset_pred = self.bias_head(feat)
        out: dict[str, torch.Tensor] = {}
        if "segment" in input_dict and "instance" in input_dict:
            out.update(self.losses(input_dict, seg_logits, offset_pred))
        if self.training:
            if "loss" not in out:
                raise KeyError(
                    "PG-v1m1 trains on 'segment', 'instance' and 'instance_centroid'; Collect them"
                )
            return out
        out.update(seg_logits=seg_logits, offset_pred=offset_pred)
        out.update(self.predict_instances(input_dict, seg_logits, offset_pred))
        return out


__all__ = ["PointGroup"]
