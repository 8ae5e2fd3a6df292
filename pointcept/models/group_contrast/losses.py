"""GroupContrast's two losses as pure functions (paper Eq. 1-8); the model only gathers their inputs.

Both functions l2-normalise the features and prototypes they are given, so callers pass raw projector
outputs. Teacher-side inputs (``z_k``, ``proto_k``, ``center``, ``v_k``) never receive gradient.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def assignment_logits(z: torch.Tensor, prototypes: torch.Tensor) -> torch.Tensor:
    """Cosine similarity of each (l2-normalised) segment feature to each (l2-normalised) prototype."""
    return F.normalize(z, dim=-1) @ F.normalize(prototypes, dim=-1).t()


def assignment_entropy(assignment: torch.Tensor) -> torch.Tensor:
    """``H_i = -sum_j K_ij log K_ij`` of each row of an assignment matrix (natural log, 0 log 0 = 0)."""
    return -(assignment * torch.log(assignment.clamp_min(1e-12))).sum(dim=-1)


def informative_weights(assignment: torch.Tensor) -> torch.Tensor:
    """Eq. 4's weights ``w_i = H_i / sum_k H_k`` with ``H_i`` the entropy of the teacher assignment ``K_i``.

    The paper: "more informative segments ... with higher entropy ... should be paid extra attention", so
    a segment the teacher is *unsure* about (high entropy) weighs more, a near one-hot one less. The
    weights sum to 1. When every row is exactly one-hot (all ``H_i = 0``, only reachable through
    underflow) Eq. 4 is 0/0; the uniform weights ``1/P`` of Eq. 2 are returned instead.

    Doubt: the opposite rule (trust confident segments more, ``1 - H_i / log n``, which this project
    shipped before) is also plausible for a distillation target; we implement the paper as written.
    """
    entropy = assignment_entropy(assignment)
    total = entropy.sum()
    if len(entropy) == 0 or not bool(total > 0):
        return torch.full_like(entropy, 1.0 / max(len(entropy), 1))
    return entropy / total


def group_loss(
    z_q: torch.Tensor,
    z_k: torch.Tensor,
    proto_q: torch.Tensor,
    proto_k: torch.Tensor,
    center: torch.Tensor,
    tau_s: float = 0.1,
    tau_t: float = 0.07,
    informative: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Segment-grouping loss (Eq. 2-4).

    Student assignment ``Q = softmax(z_q S_theta^T / tau_s)``, teacher assignment
    ``K = softmax((z_k S_Theta^T - c) / tau_t)`` (centred by ``center``, sharpened by ``tau_t < tau_s``), and
    the cross-entropy ``CE_i = -sum_j K_ij log Q_ij`` per segment. ``informative=True`` is Eq. 4:
    ``sum_i w_i CE_i`` with ``w_i = H_i / sum_k H_k`` (``informative_weights``: higher teacher entropy,
    more weight); ``informative=False`` is Eq. 2's uniform mean over segments.

    Args:
        z_q, z_k: (P, D) segment features of the same P segments from the student's and teacher's view.
        proto_q, proto_k: (n, D) student and teacher prototypes.
        center: (n,) running mean of the teacher logits.
    Returns:
        ``(loss, K)`` with K the (P, n) teacher assignment (detached).
    """
    if z_q.shape != z_k.shape:
        raise ValueError(f"z_q {tuple(z_q.shape)} and z_k {tuple(z_k.shape)} must hold the same segments")
    if z_q.shape[0] == 0:
        return z_q.sum() * 0.0 + proto_q.sum() * 0.0, z_q.new_zeros((0, proto_q.shape[0]))
    with torch.no_grad():
        teacher_logits = assignment_logits(z_k.detach(), proto_k.detach())
        K = F.softmax((teacher_logits - center.detach()) / tau_t, dim=-1)
    log_Q = F.log_softmax(assignment_logits(z_q, proto_q) / tau_s, dim=-1)
    cross_entropy = -(K * log_Q).sum(dim=-1)
    if informative:
        loss = (informative_weights(K) * cross_entropy).sum()
    else:
        loss = cross_entropy.mean()
    return loss, K


def semantic_contrast_loss(
    v_q: torch.Tensor,
    v_k: torch.Tensor,
    label_q: torch.Tensor,
    label_k: torch.Tensor,
    weight: torch.Tensor | None = None,
    tau: float = 0.4,
) -> torch.Tensor:
    """Semantic-aware InfoNCE (Eq. 6-8), averaged over all positive pairs.

    Pair ``(i, j)`` (student point i of view q, teacher point j of view k) is positive when
    ``label_q[i] == label_k[j]``; its term is
    ``-C_ij log( exp(s_ij / tau) / (exp(s_ij / tau) + sum_{m: label_k[m] != label_q[i]} exp(s_im / tau)) )``
    with ``s`` the cosine similarity: the denominator holds the positive itself plus every negative of
    anchor i, never the anchor's other positives. ``weight`` is the (N, N) confidence ``C`` (None: ones).
    Returns 0 (with a graph) when there is no positive pair.
    """
    if v_q.shape[0] != label_q.shape[0] or v_k.shape[0] != label_k.shape[0]:
        raise ValueError("one label per feature row is required on each side")
    logits = F.normalize(v_q, dim=-1) @ F.normalize(v_k.detach(), dim=-1).t() / tau  # (Nq, Nk)
    positive = label_q[:, None] == label_k[None, :]
    if not bool(positive.any()):
        return logits.sum() * 0.0
    # log-sum-exp over each anchor's negatives, then log(exp(pos) + exp(lse_neg)) for every positive pair
    negative_lse = torch.logsumexp(logits.masked_fill(positive, float("-inf")), dim=1, keepdim=True)
    pair_loss = torch.logaddexp(logits, negative_lse.expand_as(logits)) - logits
    if weight is not None:
        if weight.shape != logits.shape:
            raise ValueError(f"weight must be {tuple(logits.shape)}, got {tuple(weight.shape)}")
        pair_loss = pair_loss * weight.detach()
    return pair_loss[positive].sum() / positive.sum()
