"""``VoteNet`` (Qi et al., ICCV 2019) on a per-point feature backbone (the paper's Table 2c: SparseUNet).

The sparse backbone gives a feature per voxel point; seeds are sampled from those points by farthest point
sampling, vote for object centres (:mod:`.voting`), votes are clustered into proposals (:mod:`.proposal`),
and the losses of :mod:`.losses` train it. At inference, proposals become boxes (:class:`.BoxCoder`), empty
and low-objectness ones are dropped and per-class 3D NMS on oriented boxes keeps the rest.

Input keys: ``coord``, ``grid_coord``, ``feat``, ``offset`` (the backbone's), and for losses ``gt_boxes``
(sum K, 7), ``gt_classes`` (sum K,) and ``gt_boxes_offset`` (Collect's ``offset_keys_dict``); optional
``point_votes`` / ``point_votes_mask`` (SUN RGB-D's precomputed votes) replace votes derived from boxes.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from pointcept.models.builder import MODELS, build_model
from pointcept.models.layers.point_ops import furthest_point_sample, pad_by_offset
from pointcept.utils.boxes import nms_3d, points_in_boxes

from .box_coder import BoxCoder
from .losses import seed_vote_targets, votenet_losses
from .proposal import ProposalModule
from .voting import VotingModule

__all__ = ["VoteNet"]


@MODELS.register_module("VoteNet")
class VoteNet(nn.Module):
    """Args:
        backbone: per-point feature backbone (``SpUNet-v1m1`` with ``num_classes=0``).
        num_classes: detection classes; also the number of size clusters (one per class, as VoteNet).
        mean_sizes: (num_classes, 3) mean full box sizes per class (``tools/compute_mean_sizes.py``).
        backbone_out_channels: feature width; None reads the backbone's ``out_channels``.
        num_heading_bin: heading bins (12 for oriented boxes; axis-aligned data may use 1).
        num_seed, vote_factor, num_proposal, vote_radius, vote_nsample, proposal_mlp: VoteNet's 1024, 1,
            256, 0.3 m, 16, (128, 128, 128).
        axis_aligned: predicted headings are 0 (ScanNet's axis-aligned boxes).
        detach_votes: the proposal losses do not move the vote positions (only the vote loss does; features
            still learn from both). VoteNet lets them through (False); that slows early training a lot:
            overfitting two demo rooms for 120 steps reached mAP@0.25 0.50 detached, 0.002 not.
        loss_weights, loss_scale, objectness_near, objectness_far: see :func:`.losses.votenet_losses`.
        nms_iou, score_threshold, min_points_in_box, per_class_proposal: inference (VoteNet's evaluation
            settings: 0.25, 0.05, 5, True: every kept box is reported once per class, scored
            objectness x class probability).
    """

    def __init__(
        self,
        backbone: dict,
        num_classes: int,
        mean_sizes: Sequence[Sequence[float]],
        backbone_out_channels: int | None = None,
        num_heading_bin: int = 12,
        num_seed: int = 1024,
        vote_factor: int = 1,
        num_proposal: int = 256,
        vote_radius: float = 0.3,
        vote_nsample: int = 16,
        proposal_mlp: Sequence[int] = (128, 128, 128),
        axis_aligned: bool = False,
        detach_votes: bool = True,
        loss_weights: Mapping[str, float] | None = None,
        loss_scale: float = 10.0,
        objectness_near: float = 0.3,
        objectness_far: float = 0.6,
        bn_momentum: float = 0.1,
        nms_iou: float = 0.25,
        score_threshold: float = 0.05,
        min_points_in_box: int = 5,
        per_class_proposal: bool = True,
    ):
        super().__init__()
        self.backbone = build_model(backbone)
        channels = backbone_out_channels or getattr(self.backbone, "out_channels", None)
        if not channels:
            raise ValueError("VoteNet: set backbone_out_channels (the backbone has no out_channels attribute)")
        if len(mean_sizes) != num_classes:
            raise ValueError(f"VoteNet: {len(mean_sizes)} mean sizes for {num_classes} classes")
        self.num_classes = num_classes
        self.coder = BoxCoder(num_heading_bin, mean_sizes)
        self.num_seed = num_seed
        self.axis_aligned = axis_aligned
        self.detach_votes = detach_votes
        self.loss_cfg = dict(weights=dict(loss_weights or {}), loss_scale=loss_scale, near=objectness_near,
                             far=objectness_far)
        self.infer_cfg = dict(nms_iou=nms_iou, score_threshold=score_threshold, min_points_in_box=min_points_in_box,
                              per_class_proposal=per_class_proposal)
        self.voting = VotingModule(channels, vote_factor, bn_momentum)
        self.proposal = ProposalModule(channels, num_classes, num_heading_bin, num_classes, num_proposal,
                                       vote_radius, vote_nsample, proposal_mlp, proposal_mlp[-1], bn_momentum)

    # ---------------------------------------------------------------------------------------- stages
    def forward_backbone(self, input_dict: dict[str, Any]) -> dict[str, torch.Tensor]:
        """Per-point features, padded per sample, and the seeds (farthest point sampling of the points)."""
        feat = self.backbone(input_dict)
        offset = input_dict["offset"]
        xyz, lengths = pad_by_offset(input_dict["coord"].float(), offset)
        features, _ = pad_by_offset(feat, offset)
        seed_index = furthest_point_sample(xyz, self.num_seed, lengths)
        gather3 = seed_index[..., None].expand(-1, -1, 3)
        return dict(
            xyz=xyz, lengths=lengths, seed_index=seed_index, seed_xyz=torch.gather(xyz, 1, gather3),
            seed_features=torch.gather(features, 1, seed_index[..., None].expand(-1, -1, features.shape[-1])),
        )

    def forward_heads(self, stage: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Voting and proposals; vote features are L2-normalised before grouping (as in VoteNet)."""
        vote_xyz, vote_features = self.voting(stage["seed_xyz"], stage["seed_features"])
        vote_features = F.normalize(vote_features, dim=-1)
        positions = vote_xyz.detach() if self.detach_votes else vote_xyz
        return {**stage, "vote_xyz": vote_xyz, **self.proposal(positions, vote_features)}

    def ground_truth(self, input_dict: dict[str, Any], out: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Padded boxes and the seeds' vote targets (SUN RGB-D's stored votes when present)."""
        if "gt_boxes_offset" not in input_dict:
            raise KeyError("VoteNet needs 'gt_boxes_offset' with 'gt_boxes': add offset_keys_dict=dict(offset='coord', "
                           "gt_boxes_offset='gt_boxes') to Collect")
        boxes, counts = pad_by_offset(input_dict["gt_boxes"].float().reshape(-1, 7), input_dict["gt_boxes_offset"])
        classes, _ = pad_by_offset(input_dict["gt_classes"].long().reshape(-1), input_dict["gt_boxes_offset"], fill=-1)
        if len(counts) != len(out["lengths"]):
            raise ValueError(f"VoteNet: {len(counts)} box offsets for {len(out['lengths'])} point clouds")
        mask = torch.arange(boxes.shape[1], device=boxes.device)[None, :] < counts[:, None]
        if "point_votes" in input_dict and "point_votes_mask" in input_dict:
            votes, _ = pad_by_offset(input_dict["point_votes"].float(), input_dict["offset"])
            vote_mask, _ = pad_by_offset(input_dict["point_votes_mask"].reshape(-1).long(), input_dict["offset"])
            index = out["seed_index"]
            offsets = torch.gather(votes, 1, index[..., None].expand(-1, -1, votes.shape[-1]))
            seed_mask = torch.gather(vote_mask, 1, index) > 0
        else:
            offsets, seed_mask = seed_vote_targets(out["seed_xyz"], boxes, mask)
        return dict(gt_boxes=boxes, gt_classes=classes, gt_mask=mask, seed_vote_offsets=offsets, seed_vote_mask=seed_mask)

    def losses(self, input_dict: dict[str, Any], out: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        gt = self.ground_truth(input_dict, out)
        return votenet_losses({**out, **gt}, gt["gt_boxes"], gt["gt_classes"], gt["gt_mask"], self.coder, **self.loss_cfg)

    @torch.no_grad()
    def predict(self, out: dict[str, torch.Tensor]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per sample ``(boxes (M, 7), classes (M,), scores (M,))`` after filtering and per-class NMS."""
        cfg = self.infer_cfg
        boxes = self.coder.decode(out["centre"], out["heading_scores"], out["heading_residuals_normalized"],
                                  out["size_scores"], out["size_residuals_normalized"], self.axis_aligned).float()
        objectness = F.softmax(out["objectness_scores"].float(), dim=-1)[..., 1]
        sem_prob = F.softmax(out["sem_cls_scores"].float(), dim=-1)
        results = []
        for b in range(len(boxes)):
            keep = torch.nonzero(objectness[b] > cfg["score_threshold"]).flatten()
            if cfg["min_points_in_box"] > 0 and len(keep):
                points = out["xyz"][b, : int(out["lengths"][b])]
                inside = points_in_boxes(points, boxes[b, keep], eps=0.0).sum(0)
                keep = keep[inside >= cfg["min_points_in_box"]]
            box, obj, prob = (t.cpu().numpy().astype(np.float64) for t in (boxes[b, keep], objectness[b, keep], sem_prob[b, keep]))
            kept = nms_3d(box, obj, cfg["nms_iou"], prob.argmax(-1) if len(prob) else None)
            box, obj, prob = box[kept], obj[kept], prob[kept]
            if cfg["per_class_proposal"]:
                classes = np.tile(np.arange(self.num_classes), len(box))
                scores = (obj[:, None] * prob).reshape(-1)
                box = np.repeat(box, self.num_classes, axis=0)
            else:
                classes = prob.argmax(-1) if len(prob) else np.zeros(0, dtype=np.int64)
                scores = obj * (prob.max(-1) if len(prob) else np.zeros(0))
            results.append((box.reshape(-1, 7), classes.astype(np.int64), scores))
        return results

    # ---------------------------------------------------------------------------------------- forward
    def forward(self, input_dict: dict[str, Any]) -> dict[str, Any]:
        out = self.forward_heads(self.forward_backbone(input_dict))
        result: dict[str, Any] = {}
        if "gt_boxes" in input_dict:
            result.update(self.losses(input_dict, out))
        if self.training:
            if "loss" not in result:
                raise KeyError("VoteNet trains on 'gt_boxes', 'gt_classes' and 'gt_boxes_offset'; Collect them")
            return result
        predictions = self.predict(out)
        result["predictions"] = predictions
        result["pred_boxes"] = torch.from_numpy(np.concatenate([p[0] for p in predictions]).reshape(-1, 7))
        result["pred_classes"] = torch.from_numpy(np.concatenate([p[1] for p in predictions]))
        result["pred_scores"] = torch.from_numpy(np.concatenate([p[2] for p in predictions]))
        result["pred_batch"] = torch.cat([torch.full((len(p[1]),), b, dtype=torch.long) for b, p in enumerate(predictions)])
        return result
