"""VoteNet's training losses (Qi et al. 2019, Sec. 4.3 and its reference code), on padded batches.

Ground truth arrives as ``gt_boxes`` (B, K, 7), ``gt_classes`` (B, K) and ``gt_mask`` (B, K) (samples
have different box counts; a sample without boxes is a valid all-negative frame). Every term is a mean
over the entries it concerns (seeds on objects, labelled proposals, positive proposals, real boxes), so
padding never contributes.
"""

from __future__ import annotations

from typing import Mapping

import torch
import torch.nn.functional as F

from pointcept.utils.boxes import points_in_boxes

from .box_coder import BoxCoder

__all__ = ["DEFAULT_LOSS_WEIGHTS", "huber", "vote_loss", "objectness_targets", "votenet_losses", "seed_vote_targets"]

#: weights of Qi et al.'s reference code (box terms folded in: centre 1, heading/size class 0.1, residuals 1)
DEFAULT_LOSS_WEIGHTS = dict(
    vote=1.0, objectness=0.5, centre=1.0, heading_cls=0.1, heading_reg=1.0, size_cls=0.1, size_reg=1.0, sem_cls=0.1,
)
#: VoteNet's cross-entropy weights of (negative, positive) objectness
OBJECTNESS_CLASS_WEIGHTS = (0.2, 0.8)


def huber(error: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """0.5 x^2 for |x| <= delta, then linear (VoteNet's ``huber_loss``)."""
    absolute = error.abs()
    quadratic = absolute.clamp(max=delta)
    return 0.5 * quadratic**2 + delta * (absolute - quadratic)


def _masked_mean(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    mask = mask.to(values.dtype)
    return (values * mask).sum() / (mask.sum() + 1e-6)


def seed_vote_targets(
    seed_xyz: torch.Tensor, gt_boxes: torch.Tensor, gt_mask: torch.Tensor, max_votes: int = 3, eps: float = 1e-4
) -> tuple[torch.Tensor, torch.Tensor]:
    """Vote targets from boxes: a seed inside one or more boxes votes for their centres (the first
    ``max_votes`` boxes in box order; unused slots repeat the first). Returns ``(offsets (B, S, max_votes*3),
    mask (B, S))`` in the layout of SUN RGB-D's ``point_votes``."""
    if gt_boxes.shape[1] == 0:
        return seed_xyz.new_zeros(*seed_xyz.shape[:2], 3 * max_votes), seed_xyz.new_zeros(seed_xyz.shape[:2], dtype=torch.bool)
    inside = points_in_boxes(seed_xyz, gt_boxes, eps)  # (B, S, K)
    inside &= gt_mask[:, None, :]
    rank = torch.cumsum(inside.long(), dim=-1)
    offsets = seed_xyz.new_zeros(*seed_xyz.shape[:2], max_votes, 3)
    for slot in range(max_votes):
        hit = inside & (rank == slot + 1)
        box = torch.where(hit.any(-1), hit.float().argmax(-1), (inside & (rank == 1)).float().argmax(-1))
        centre = torch.gather(gt_boxes[..., :3], 1, box[..., None].expand(-1, -1, 3))
        offsets[:, :, slot] = centre - seed_xyz
    return offsets.reshape(*seed_xyz.shape[:2], 3 * max_votes), inside.any(-1)


def vote_loss(vote_xyz: torch.Tensor, seed_xyz: torch.Tensor, gt_offsets: torch.Tensor, gt_mask: torch.Tensor) -> torch.Tensor:
    """Mean over seeds on objects of min over (predicted vote, ground-truth vote) of the L1 distance."""
    batch, num_seed = seed_xyz.shape[:2]
    votes = vote_xyz.reshape(batch, num_seed, -1, 3)
    targets = seed_xyz[:, :, None, :] + gt_offsets.reshape(batch, num_seed, -1, 3)
    distance = (votes[:, :, :, None, :] - targets[:, :, None, :, :]).abs().sum(-1)  # (B, S, F, G)
    return _masked_mean(distance.flatten(2).min(-1).values, gt_mask)


def _nearest(a: torch.Tensor, b: torch.Tensor, b_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Squared distance from each row of a (B, P, 3) to its nearest valid row of b (B, K, 3), and its index;
    ``inf`` where a sample has no valid row."""
    d = ((a[:, :, None, :] - b[:, None, :, :]) ** 2).sum(-1)
    d = d.masked_fill(~b_mask[:, None, :], float("inf"))
    if d.shape[-1] == 0:
        return d.new_full(a.shape[:2], float("inf")), torch.zeros(a.shape[:2], dtype=torch.long, device=a.device)
    return d.min(-1)


def objectness_targets(
    aggregated_xyz: torch.Tensor, gt_centres: torch.Tensor, gt_mask: torch.Tensor, near: float = 0.3, far: float = 0.6
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Proposals whose cluster centre lies within ``near`` of a box centre are objects, beyond ``far`` not,
    in between unlabelled. Returns ``(label, mask, assignment)`` (B, P), assignment = nearest box."""
    squared, assignment = _nearest(aggregated_xyz, gt_centres, gt_mask)
    distance = torch.sqrt(squared + 1e-6)
    label = (distance < near).long()
    mask = (distance < near) | (distance > far)
    return label, mask, assignment


def votenet_losses(
    out: Mapping[str, torch.Tensor],
    gt_boxes: torch.Tensor,
    gt_classes: torch.Tensor,
    gt_mask: torch.Tensor,
    coder: BoxCoder,
    weights: Mapping[str, float] | None = None,
    loss_scale: float = 10.0,
    near: float = 0.3,
    far: float = 0.6,
) -> dict[str, torch.Tensor]:
    """All terms and their weighted sum ``loss`` (times ``loss_scale``, VoteNet's 10).

    ``out`` holds the model's ``seed_xyz``, ``vote_xyz``, ``seed_vote_offsets``, ``seed_vote_mask`` and the
    proposal outputs of :class:`~.proposal.ProposalModule`.
    """
    w = {**DEFAULT_LOSS_WEIGHTS, **(weights or {})}
    terms: dict[str, torch.Tensor] = {}
    terms["vote"] = vote_loss(out["vote_xyz"], out["seed_xyz"], out["seed_vote_offsets"], out["seed_vote_mask"])

    label, mask, assignment = objectness_targets(out["aggregated_xyz"], gt_boxes[..., :3], gt_mask, near, far)
    class_weight = torch.tensor(OBJECTNESS_CLASS_WEIGHTS, device=label.device)
    objectness = F.cross_entropy(out["objectness_scores"].flatten(0, 1), label.flatten(), class_weight, reduction="none")
    terms["objectness"] = _masked_mean(objectness, mask.flatten())

    # centre: Chamfer between predicted centres of positive proposals and the real boxes
    pred_to_gt, _ = _nearest(out["centre"], gt_boxes[..., :3], gt_mask)
    gt_to_pred, _ = _nearest(gt_boxes[..., :3], out["centre"], torch.ones_like(label, dtype=torch.bool))
    positive = label.bool()
    terms["centre"] = _masked_mean(pred_to_gt.nan_to_num(posinf=0.0), positive) + _masked_mean(
        gt_to_pred.nan_to_num(posinf=0.0), gt_mask
    )

    def assigned(values: torch.Tensor) -> torch.Tensor:  # (B, K, ...) -> (B, P, ...) by nearest box
        index = assignment.reshape(*assignment.shape, *([1] * (values.dim() - 2)))
        return torch.gather(values, 1, index.expand(-1, -1, *values.shape[2:]))

    if gt_boxes.shape[1] == 0:  # no box in the whole batch: only the vote and objectness terms apply
        zero = out["centre"].sum() * 0.0
        for key in ("heading_cls", "heading_reg", "size_cls", "size_reg", "sem_cls"):
            terms[key] = zero
    else:
        heading_bin, heading_residual = coder.encode_heading(gt_boxes[..., 6])
        heading_bin, heading_residual = assigned(heading_bin), assigned(heading_residual)
        scores = out["heading_scores"]
        terms["heading_cls"] = _masked_mean(
            F.cross_entropy(scores.flatten(0, 1), heading_bin.flatten(), reduction="none"), positive.flatten()
        )
        predicted = torch.gather(out["heading_residuals_normalized"], -1, heading_bin[..., None]).squeeze(-1)
        target = heading_residual / (torch.pi / coder.num_heading_bin)
        terms["heading_reg"] = _masked_mean(huber(predicted - target), positive)

        size_class = assigned(gt_classes.clamp(min=0))
        terms["size_cls"] = _masked_mean(
            F.cross_entropy(out["size_scores"].flatten(0, 1), size_class.flatten(), reduction="none"), positive.flatten()
        )
        mean = coder.mean_size(size_class)
        target = coder.encode_size(assigned(gt_boxes[..., 3:6]), size_class) / mean
        index = size_class[..., None, None].expand(*size_class.shape, 1, 3)
        predicted = torch.gather(out["size_residuals_normalized"], 2, index).squeeze(2)
        terms["size_reg"] = _masked_mean(huber(predicted - target).mean(-1), positive)
        terms["sem_cls"] = _masked_mean(
            F.cross_entropy(out["sem_cls_scores"].flatten(0, 1), size_class.flatten(), reduction="none"), positive.flatten()
        )
    total = sum(w[key] * value for key, value in terms.items())
    result = {f"{key}_loss": value.detach() for key, value in terms.items()}
    result["loss"] = loss_scale * total
    result["pos_ratio"] = label.float().mean().detach()
    return result
