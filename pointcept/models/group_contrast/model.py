"""``GC-v1m1``: GroupContrast pretraining (Wang et al., CVPR 2024), every Table-1 ablation a switch.

Student theta = backbone f + grouping projector g + contrast projector h + prototypes S_theta, plus the
asymmetric predictor h'; teacher Theta = an exponential moving average of the student (no predictor).
The student sees view q (``view1_*``), the teacher view k (``view2_*``).

1. Segment grouping: segment features are averages of l2-normalised g features over the overlap part
   of each segment (Eq. 1); the student's assignment to the prototypes is distilled from the centred,
   sharpened teacher assignment K with informative-aware weights (Eq. 2-5, ``losses.group_loss``).
2. Semantic-aware contrast: N corresponding point pairs of the overlap per scene; pairs whose segments
   fall in the same group (argmax K) are positives, weighted by the teacher's confidence (Eq. 6-8,
   ``losses.semantic_contrast_loss``).
Total loss (Eq. 9): ``group_loss_weight * L_g + contrast_loss_weight * L_c``.

Switches (paper Table 1): ``positive`` = "matched" (PointContrast-style) | "grid" (same ``cell_size`` cell)
| "segment" (same raw geometry segment) | "group" (segment grouping); ``num_prototypes``; ``num_samples``;
``informative``; ``tau_t``; ``predictor``; ``semantic_aware`` (False = matched positives);
``confidence`` (False = C_ij = 1); ``centering`` (False: c = 0); ``sharpening`` (False: tau_t = tau_s).
The teacher momentum follows a cosine schedule from ``teacher_momentum`` to ``teacher_momentum_end`` over
training; the centre is an EMA (``center_momentum``) of the mean teacher logits over every segment of every
rank (count-weighted all-reduce, run by every rank in every training step).
"""

from __future__ import annotations

import copy
import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from pointcept.models.builder import MODELS, build_model
from pointcept.utils.comm import all_reduce_sum
from pointcept.utils.matching import sample_rows, view_pairs
from pointcept.utils.views import with_global_views

from .grouping import cell_labels, pooled_segment_features
from .losses import assignment_logits, group_loss, semantic_contrast_loss

POSITIVE_MODES = ("matched", "grid", "segment", "group")


def mlp(in_channels: int, hidden: int, out_channels: int) -> nn.Sequential:
    """Linear-BN-ReLU-Linear, the projector/predictor shape of BYOL-style methods."""
    return nn.Sequential(
        nn.Linear(in_channels, hidden), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True), nn.Linear(hidden, out_channels)
    )


class GroupContrastBranch(nn.Module):
    """What the student and the teacher both have: backbone f, projectors g and h, prototypes S."""

    def __init__(self, backbone: dict, in_channels: int, hidden: int, group_dim: int, contrast_dim: int, num_prototypes: int):
        super().__init__()
        self.backbone = build_model(backbone)
        self.group_projector = mlp(in_channels, hidden, group_dim)
        self.contrast_projector = mlp(in_channels, hidden, contrast_dim)
        self.prototypes = nn.Parameter(F.normalize(torch.randn(num_prototypes, group_dim), dim=-1))


@MODELS.register_module("GC-v1m1")
class GroupContrast(nn.Module):
    def __init__(
        self,
        backbone: dict,
        backbone_out_channels: int = 96,
        projector_hidden: int = 256,
        group_dim: int = 128,
        contrast_dim: int = 128,
        num_prototypes: int = 32,
        num_samples: int = 2048,
        tau_s: float = 0.1,
        tau_t: float = 0.07,
        tau: float = 0.4,
        group_loss_weight: float = 1.0,
        contrast_loss_weight: float = 1.0,
        positive: str = "group",
        cell_size: float = 1.0,
        informative: bool = True,
        predictor: bool = True,
        semantic_aware: bool = True,
        confidence: bool = True,
        centering: bool = True,
        sharpening: bool = True,
        center_momentum: float = 0.9,
        teacher_momentum: float = 0.996,
        teacher_momentum_end: float = 1.0,
    ):
        super().__init__()
        if positive not in POSITIVE_MODES:
            raise ValueError(f"positive={positive!r}: expected one of {', '.join(POSITIVE_MODES)}")
        self.student = GroupContrastBranch(
            backbone, backbone_out_channels, projector_hidden, group_dim, contrast_dim, num_prototypes
        )
        self.teacher = copy.deepcopy(self.student)
        for parameter in self.teacher.parameters():
            parameter.requires_grad_(False)
        self.predictor = mlp(contrast_dim, projector_hidden, contrast_dim) if predictor else nn.Identity()
        self.register_buffer("center", torch.zeros(num_prototypes))
        self.num_prototypes = num_prototypes
        self.num_samples = num_samples
        self.tau_s, self.tau_t, self.tau = tau_s, tau_t, tau
        self.group_loss_weight = group_loss_weight
        self.contrast_loss_weight = contrast_loss_weight
        self.positive = positive if semantic_aware else "matched"
        self.cell_size = cell_size
        self.informative = informative
        self.use_confidence = confidence
        self.centering = centering
        self.sharpening = sharpening
        self.center_momentum = center_momentum
        self.teacher_momentum = teacher_momentum
        self.teacher_momentum_end = teacher_momentum_end
        self.current_teacher_momentum = teacher_momentum
        self._trainer: Any = None

    # ------------------------------------------------------------------------------ trainer events
    def bind_trainer(self, trainer: Any) -> None:
        self._trainer = trainer

    def momentum_at(self, step: int, total: int) -> float:
        """Cosine schedule from ``teacher_momentum`` (step 0) to ``teacher_momentum_end`` (last step)."""
        progress = min(max(step / max(total, 1), 0.0), 1.0)
        end, base = self.teacher_momentum_end, self.teacher_momentum
        return end - (end - base) * (math.cos(math.pi * progress) + 1) / 2

    def after_step(self) -> None:
        """EMA update of the teacher after each optimizer step (called by ``ModelHook``)."""
        trainer = self._trainer
        momentum = self.momentum_at(trainer.global_iter, trainer.max_iter) if trainer is not None else self.teacher_momentum
        self.update_teacher(momentum)

    @torch.no_grad()
    def update_teacher(self, momentum: float) -> None:
        self.current_teacher_momentum = momentum
        for teacher, student in zip(self.teacher.parameters(), self.student.parameters()):
            teacher.mul_(momentum).add_(student.detach(), alpha=1 - momentum)
        for teacher, student in zip(self.teacher.buffers(), self.student.buffers()):
            teacher.copy_(student)

    # ------------------------------------------------------------------------------ forward
    def forward(self, input_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        batch = with_global_views(input_dict)  # collated batches already are; a hand-built one gets global
        feat_q = self.student.backbone(_view_input(batch, "view1"))
        with torch.no_grad():
            feat_k = self.teacher.backbone(_view_input(batch, "view2"))

        num_segments = int(batch["num_segments"].sum())
        seg_q, seg_k = batch["view1_segment"], batch["view2_segment"]
        z_q = pooled_segment_features(self.student.group_projector(feat_q), seg_q, num_segments)
        with torch.no_grad():
            z_k = pooled_segment_features(self.teacher.group_projector(feat_k), seg_k, num_segments)
        tau_t = self.tau_t if self.sharpening else self.tau_s
        center = self.center if self.centering else torch.zeros_like(self.center)
        loss_g, K = group_loss(
            z_q, z_k, self.student.prototypes, self.teacher.prototypes, center, self.tau_s, tau_t, self.informative
        )
        if self.training:  # every rank, every step (the update all-reduces), with or without segments
            self.update_center(z_k)

        loss_c, num_pairs = self.contrast(batch, feat_q, feat_k, K)
        loss = self.group_loss_weight * loss_g + self.contrast_loss_weight * loss_c
        return {"loss": loss, "group_loss": loss_g.detach(), "contrast_loss": loss_c.detach(),
                **self.monitors(K), "num_segments": torch.tensor(float(num_segments)),
                "num_pairs": torch.tensor(float(num_pairs))}

    @torch.no_grad()
    def update_center(self, z_k: torch.Tensor) -> None:
        """``c <- m c + (1 - m) mean(teacher logits)``, the mean over every segment of every rank.

        Count-weighted across ranks: each rank all-reduces its logit sum and segment count (zeros where it
        has no segment), so a rank with few segments weighs less and one with none still joins the
        collective; the centre stays put only when no rank has a segment.
        """
        logits = assignment_logits(z_k, self.teacher.prototypes)
        stats = torch.cat([logits.sum(dim=0), logits.new_tensor([float(len(logits))])])
        all_reduce_sum(stats)
        count = float(stats[-1])
        if count > 0:
            self.center.mul_(self.center_momentum).add_(stats[:-1] / count, alpha=1 - self.center_momentum)

    def contrast(
        self, batch: dict[str, torch.Tensor], feat_q: torch.Tensor, feat_k: torch.Tensor, K: torch.Tensor
    ) -> tuple[torch.Tensor, int]:
        """Eq. 6-8 per scene on ``num_samples`` corresponding pairs, averaged over scenes with pairs.

        The projector h, the predictor h' and the teacher's projector run once per step on the sampled
        points of all scenes together (possibly none): with SyncBatchNorm each call is a collective, so
        every rank must make the same calls whatever its data.
        """
        match, match_batch = view_pairs(batch)  # the generator's nearest partners, via the shared matcher
        seg_q, seg_k = batch["view1_segment"][match[:, 0]], batch["view2_segment"][match[:, 1]]
        usable = torch.ones(len(match), dtype=torch.bool, device=match.device)
        if self.positive in ("segment", "group"):
            usable = (seg_q >= 0) & (seg_k >= 0)
        group = K.argmax(dim=1) if len(K) else None
        confidence = K.max(dim=1).values if len(K) else None
        scene_rows = []
        for scene in range(len(batch["match_offset"])):
            rows = sample_rows(torch.nonzero(usable & (match_batch == scene)).flatten(), self.num_samples)
            if len(rows) >= 2:  # one pair has no negative
                scene_rows.append(rows)
        all_rows = torch.cat(scene_rows) if scene_rows else match.new_zeros(0)
        i, j = match[all_rows, 0], match[all_rows, 1]
        v_q_all = self.predictor(self.student.contrast_projector(feat_q[i]))
        with torch.no_grad():
            v_k_all = self.teacher.contrast_projector(feat_k[j])
        if not scene_rows:  # touch every trainable parameter so DDP still sees a gradient for each
            untouched = sum(p.sum() for p in self.parameters() if p.requires_grad) * 0.0
            return untouched + v_q_all.sum() * 0.0, 0
        losses, start = [], 0
        for rows in scene_rows:
            part = slice(start, start + len(rows))
            start += len(rows)
            label_q, label_k = self.labels(batch, rows, i[part], j[part], seg_q[rows], seg_k[rows], group)
            weight = None
            if self.positive == "group" and self.use_confidence:
                weight = confidence[seg_q[rows]][:, None] * confidence[seg_k[rows]][None, :]
            losses.append(semantic_contrast_loss(v_q_all[part], v_k_all[part], label_q, label_k, weight, self.tau))
        return torch.stack(losses).mean(), len(all_rows)

    def labels(self, batch, rows, i, j, seg_q, seg_k, group) -> tuple[torch.Tensor, torch.Tensor]:
        """Labels that decide positives: equal label on both sides = positive pair."""
        if self.positive == "matched":
            ids = torch.arange(len(rows), device=rows.device)
            return ids, ids
        if self.positive == "grid":
            return cell_labels(batch["view1_origin_coord"][i], batch["view2_origin_coord"][j], self.cell_size)
        if self.positive == "segment":
            return seg_q, seg_k
        return group[seg_q], group[seg_k]

    @torch.no_grad()
    def monitors(self, K: torch.Tensor) -> dict[str, torch.Tensor]:
        """Collapse monitors: mean normalised entropy of K (1 = uniform), prototypes in use, confidence."""
        if len(K) == 0:
            zero = torch.tensor(0.0)
            return {"assign_entropy": zero, "prototypes_used": zero, "confidence": zero}
        entropy = -(K * torch.log(K.clamp_min(1e-12))).sum(dim=1) / math.log(self.num_prototypes)
        return {
            "assign_entropy": entropy.mean(),
            "prototypes_used": torch.tensor(float(torch.unique(K.argmax(dim=1)).numel())),
            "confidence": K.max(dim=1).values.mean(),
        }


def _view_input(batch: dict[str, torch.Tensor], view: str) -> dict[str, torch.Tensor]:
    return {
        "coord": batch[f"{view}_coord"],
        "grid_coord": batch[f"{view}_grid_coord"],
        "feat": batch[f"{view}_feat"],
        "offset": batch[f"{view}_offset"],
    }
