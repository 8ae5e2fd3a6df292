"""``MSC-v1m1`` Masked Scene Contrast (Wu et al., CVPR 2023) and its family on the shared two-view batches.

One Siamese backbone sees both views of ``ContrastiveViewsGenerator``. A step:

1. match corresponding points of the two views in the shared ``origin_coord`` frame (shared matcher,
   ``pointcept.utils.matching``: up to ``matching_max_k`` partners within ``matching_max_radius``,
   one kept at random per view-1 point, ``matching_max_pair`` pairs sampled from the whole batch);
2. hide complementary ``mask_grid_size`` cells in the two views (``masking``): the input features of
   hidden points become a learnable mask token (``mask_token=False``: zeros);
3. with probability ``view1_mix_prob`` overlay view 1 of random pairs of samples (``mixing``);
4. point InfoNCE (temperature ``nce_t``) of the matched pairs: one cross-entropy over all pairs of the
   batch (``negatives="batch"``), or per scene (``"scene"``); with ``partitions=4`` CSC's partitioned
   InfoNCE per scene (``losses``);
5. reconstruct the colour (and optionally the normal) of the hidden points from their features.

Registered variants (same class, other defaults; every argument can still be overridden):
``MSC-v1m1`` (masking + mixing + reconstruction), ``PointContrast-v1m1`` (tau 0.07, 4096 pairs, no
masking, mixing or reconstruction) and ``MSC-v1m2`` = ``CSC-v1m1`` (CSC's 4 spatial partitions with
Pointcept's config radii r1 = 2 m, r2 = 20 m, no masking or mixing, Pointcept's names).

Pointcept parity. With default arguments a step computes what Pointcept's ``MaskedSceneContrast``
(``masked_scene_contrast_v1m1_base.py``, ``..._v1m2_csc.py``) computes, with the values of its ScanNet
``pretrain-msc-*`` configs as defaults:

* MSC / PointContrast InfoNCE: one cross-entropy over all sampled pairs of the rank's batch, so the
  negatives of a pair are all other sampled pairs, other scenes included;
* CSC: per scene, the partitions of the pairs' ``origin_coord`` (anchor: view-2 copy, key: view-1 copy),
  the near region (keys within r1 or at the anchor's exact height) a fifth region, each region's
  cross-entropy averaged over all anchors of the scene and the positive always in, summed over regions
  and scenes and divided by ``samples in the batch x partitions`` (``csc_reduction="cells"``: this
  project's earlier per-cell mean without the near region);
* masks: ``int(cells * mask_rate)`` cells per view from one shuffle of the batch's (scene, cell) cubes;
  a pair straddling a cell border may stay hidden in both views (``unmask_matched_pairs=True`` un-hides
  its view-2 copy); mask token drawn from a truncated normal with std 0.02;
* colour loss: squared error summed over channels, averaged over the hidden points of both views.

Deliberate deviations from Pointcept:

* no collective in ``forward``. Pointcept all-reduces the contrastive loss and divides it by the world
  size inside ``forward``; ``all_reduce`` is not differentiable, so this only divides the InfoNCE gradient
  by the world size on top of DDP's gradient averaging (on 8 GPUs the contrastive term trains at 1/8 of
  the learning rate the reconstruction term gets). Here each rank returns its own loss and DDP averages
  the gradients; the logged value is the rank's;
* the normal loss is ``1 - cos`` (Pointcept: ``mean(cos)``, optimal at the reversed normal; see
  ``losses.normal_reconstruction_loss``); no config reconstructs normals, as in Pointcept;
* view mixing pairs samples at random, Pointcept consecutive ones (same distribution, see ``mixing``);
* matching is the shared radius matcher: radius inclusive (Pointcept's kNN keeps ``d < r``), a uniform
  draw of the partner (Pointcept's modulo draw is nearly uniform);
* no pair, no hidden point or no key in a region gives a 0 term *with a graph* where Pointcept would
  fail (empty ``max``) or return NaN (0 / 0); see the DDP note below;
* the class defaults are those of Pointcept's MSC config (``view1_mix_prob=0.8``,
  ``reconstruct_normal=False``), not of its class (0 and True); the mask token and the heads exist only
  when points are masked (Pointcept creates them regardless; at ``mask_rate=0`` they are unused).

DDP: every rank runs the same collectives every step, whatever its data. The model itself has none; the
backbone runs exactly once per view (SyncBatchNorm's collectives in forward and backward match across
ranks); every loss term is a function of both views' features even when a rank has no matched pair,
no hidden point or a single sample (then ``0 x features``), and ``untouched_parameters_term`` gives the
heads and the mask token a gradient, so DDP's reducer (``find_unused_parameters=False``) sees every
parameter on every rank. ``tests/models/test_pretrain_ddp_baselines.py`` runs it with a rank that has no
pair.

The backbone lives at ``student.backbone`` so its state-dict prefix is ``student.backbone.``, the same as
GroupContrast's: every fine-tuning config with ``weight_mapping=[("student.backbone.", "backbone.")]``
loads an MSC/PC/CSC checkpoint unchanged. (There is no teacher: ``student`` is the only branch.)
"""

from __future__ import annotations

import inspect
from typing import Any, Mapping

import torch
from torch import nn

from pointcept.models.builder import MODELS, build_model
from pointcept.utils.matching import one_per_query, radius_match, sample_rows
from pointcept.utils.views import with_global_views

from .losses import (CSC_REDUCTIONS, color_reconstruction_loss, csc_info_nce, csc_partitions, info_nce,
                     normal_reconstruction_loss)
from .masking import cross_view_masks, grid_cell_ids
from .masking import unmask_matched_pairs as unmask_pairs_hidden_twice
from .mixing import apply_mixing, plan_mixing

VIEWS = ("view1", "view2")
NEGATIVES = ("batch", "scene")


class SiameseBranch(nn.Module):
    """Holder of the one backbone both views go through (named like GroupContrast's student branch)."""

    def __init__(self, backbone: dict):
        super().__init__()
        self.backbone = build_model(backbone)


@MODELS.register_module("MSC-v1m1")
class MaskedSceneContrast(nn.Module):
    """Matched-point pretraining step (MSC and, through presets, PointContrast and CSC); see the module doc.

    Options beyond Pointcept's arguments (each defaults to Pointcept's behaviour):
    ``negatives`` ``"batch"`` (one InfoNCE over all pairs of the batch) or ``"scene"`` (per-scene InfoNCE
    averaged over scenes; CSC needs it); ``csc_reduction`` ``"pointcept"`` or ``"cells"`` (see
    ``losses.csc_info_nce``); ``unmask_matched_pairs`` (never hide both copies of a pair);
    ``mask_token=False`` (zeros instead of a learnable token).
    """

    def __init__(
        self,
        backbone: dict,
        backbone_in_channels: int = 6,
        backbone_out_channels: int = 96,
        mask_grid_size: float = 0.1,
        mask_rate: float = 0.4,
        mask_token: bool = True,
        view1_mix_prob: float = 0.8,
        view2_mix_prob: float = 0.0,
        matching_max_k: int = 8,
        matching_max_radius: float = 0.03,
        matching_max_pair: int = 8192,
        nce_t: float = 0.4,
        contrast_weight: float = 1.0,
        reconstruct_weight: float = 1.0,
        reconstruct_color: bool = True,
        reconstruct_normal: bool = False,
        partitions: int = 1,
        r1: float = 2.0,
        r2: float = 20.0,
        negatives: str = "batch",
        csc_reduction: str = "pointcept",
        unmask_matched_pairs: bool = False,
    ):
        super().__init__()
        _check_range("mask_rate", mask_rate, 0.0, 0.5)
        _check_range("view1_mix_prob", view1_mix_prob, 0.0, 1.0)
        _check_range("view2_mix_prob", view2_mix_prob, 0.0, 1.0)
        for name, value in (("mask_grid_size", mask_grid_size), ("matching_max_radius", matching_max_radius),
                            ("nce_t", nce_t)):
            if not value > 0:
                raise ValueError(f"{name} must be > 0, got {value}")
        for name, value in (("matching_max_k", matching_max_k), ("matching_max_pair", matching_max_pair),
                            ("backbone_in_channels", backbone_in_channels),
                            ("backbone_out_channels", backbone_out_channels)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if partitions not in (1, 4):
            raise ValueError(f"partitions must be 1 (point InfoNCE) or 4 (CSC), got {partitions}")
        if partitions == 4 and not 0 <= r1 < r2:
            raise ValueError(f"CSC needs 0 <= r1 < r2, got r1={r1}, r2={r2}")
        if negatives not in NEGATIVES:
            raise ValueError(f"negatives={negatives!r}: expected one of {', '.join(NEGATIVES)}")
        if partitions == 4 and negatives != "scene":
            raise ValueError("CSC (partitions=4) partitions each scene's keys around its anchors: it needs "
                             "negatives='scene'")
        if csc_reduction not in CSC_REDUCTIONS:
            raise ValueError(f"csc_reduction={csc_reduction!r}: expected one of {', '.join(CSC_REDUCTIONS)}")
        self.student = SiameseBranch(backbone)
        self.backbone_in_channels = int(backbone_in_channels)
        self.mask_grid_size, self.mask_rate = float(mask_grid_size), float(mask_rate)
        self.view_mix_prob = {"view1": float(view1_mix_prob), "view2": float(view2_mix_prob)}
        self.matching_max_k, self.matching_max_radius = int(matching_max_k), float(matching_max_radius)
        self.matching_max_pair = int(matching_max_pair)
        self.nce_t, self.contrast_weight = float(nce_t), float(contrast_weight)
        self.partitions, self.r1, self.r2 = int(partitions), float(r1), float(r2)
        self.negatives, self.csc_reduction = negatives, csc_reduction
        self.unmask_matched_pairs = bool(unmask_matched_pairs)
        masking = self.mask_rate > 0
        # a learnable token only where points are masked; zeros (mask_token=False) need no parameter
        self.mask_token = None
        if masking and mask_token:
            self.mask_token = nn.Parameter(torch.zeros(1, backbone_in_channels))
            nn.init.trunc_normal_(self.mask_token, mean=0.0, std=0.02)  # Pointcept's init
        reconstruct = masking and reconstruct_weight > 0
        self.reconstruct_weight = float(reconstruct_weight)
        self.color_head = nn.Linear(backbone_out_channels, 3) if reconstruct and reconstruct_color else None
        self.normal_head = nn.Linear(backbone_out_channels, 3) if reconstruct and reconstruct_normal else None

    # ------------------------------------------------------------------------------ batch preparation
    def view_arrays(self, batch: Mapping[str, torch.Tensor], view: str) -> dict[str, torch.Tensor]:
        """The per-point arrays of one view that the step uses (backbone input, frame, targets)."""
        arrays = {}
        for key in ("coord", "grid_coord", "feat", "origin_coord", "batch"):
            name = f"{view}_{key}"
            if name not in batch:
                raise KeyError(f"{type(self).__name__}: the batch has no {name!r} (a two-view pretraining batch "
                               "from ContrastiveViewsGenerator, e.g. msc_pretrain_pipeline, is required)")
            arrays[key] = batch[name]
        if arrays["feat"].shape[1] != self.backbone_in_channels:
            raise ValueError(f"{type(self).__name__}: {view}_feat has {arrays['feat'].shape[1]} channels but "
                             f"backbone_in_channels={self.backbone_in_channels}")
        for target, head in (("color", self.color_head), ("normal", self.normal_head)):
            if head is None:
                continue
            name = f"{view}_{target}"
            if name not in batch:
                raise KeyError(f"{type(self).__name__}: reconstruct_{target}=True needs {name!r} in the batch "
                               f"(collect it, e.g. msc_pretrain_pipeline(..., collect_targets=True))")
            arrays[target] = batch[name].float()
        return arrays

    @torch.no_grad()
    def match(self, arrays: dict[str, dict[str, torch.Tensor]]) -> tuple[torch.Tensor, torch.Tensor]:
        """All candidate pairs (up to k per view-1 point) and the sampled pairs used by the loss."""
        candidates, _ = radius_match(
            arrays["view1"]["origin_coord"].float(), arrays["view1"]["batch"],
            arrays["view2"]["origin_coord"].float(), arrays["view2"]["batch"],
            self.matching_max_radius, self.matching_max_k,
        )
        pairs = one_per_query(candidates)
        rows = sample_rows(torch.arange(len(pairs), device=pairs.device), self.matching_max_pair)
        return candidates, pairs[rows]

    @torch.no_grad()
    def masks(self, arrays: dict[str, dict[str, torch.Tensor]], candidates: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Complementary grid masks of the two views (``unmask_matched_pairs``: no candidate hidden twice)."""
        v1, v2 = arrays["view1"], arrays["view2"]
        if self.mask_rate == 0:
            return (torch.zeros(len(v1["coord"]), dtype=torch.bool, device=v1["coord"].device),
                    torch.zeros(len(v2["coord"]), dtype=torch.bool, device=v2["coord"].device))
        cell1, cell2, num_cells = grid_cell_ids(v1["origin_coord"], v1["batch"], v2["origin_coord"], v2["batch"],
                                                self.mask_grid_size)
        mask1, mask2 = cross_view_masks(cell1, cell2, num_cells, self.mask_rate)
        if self.unmask_matched_pairs:
            mask2 = unmask_pairs_hidden_twice(mask1, mask2, candidates)
        return mask1, mask2

    def masked_feat(self, feat: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.mask_rate == 0:
            return feat
        token = self.mask_token if self.mask_token is not None else feat.new_zeros(1, feat.shape[1])
        return torch.where(mask[:, None], token.to(feat.dtype).expand_as(feat), feat)

    # ------------------------------------------------------------------------------ forward
    def forward(self, input_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        batch = with_global_views(input_dict)  # collated batches already are; a hand-built one gets global
        arrays = {view: self.view_arrays(batch, view) for view in VIEWS}
        offsets = {view: batch[f"{view}_offset"] for view in VIEWS}
        num_samples = len(offsets["view1"])  # before mixing: CSC divides by the batch's samples
        candidates, pairs = self.match(arrays)
        mask1, mask2 = self.masks(arrays, candidates)
        arrays["view1"]["mask"], arrays["view2"]["mask"] = mask1, mask2
        mixed = {}
        for column, view in enumerate(VIEWS):
            arrays[view]["feat"] = self.masked_feat(arrays[view]["feat"], arrays[view]["mask"])
            draw = self.view_mix_prob[view] > 0 and bool(torch.rand(()) < self.view_mix_prob[view])
            mixed[view] = draw and len(offsets[view]) > 1  # one sample alone has nothing to mix with
            if mixed[view]:
                order, offsets[view] = plan_mixing(offsets[view])
                arrays[view], new_index = apply_mixing(arrays[view], order, pairs[:, column])
                pairs = pairs.clone()
                pairs[:, column] = new_index
        features = {view: self.student.backbone(_backbone_input(arrays[view], offsets[view])) for view in VIEWS}

        nce_loss = self.contrast(features, arrays, pairs, num_samples)
        loss = self.contrast_weight * nce_loss
        out = {"nce_loss": nce_loss.detach(), "num_pairs": torch.tensor(float(len(pairs))),
               "mask_share": torch.cat([mask1, mask2]).float().mean() if len(mask1) + len(mask2) else torch.tensor(0.0),
               "mixed": torch.tensor(float(mixed["view1"]))}
        for target, head, loss_fn in (("color", self.color_head, color_reconstruction_loss),
                                      ("normal", self.normal_head, normal_reconstruction_loss)):
            if head is None:
                continue
            predictions, targets = [], []
            for view in VIEWS:
                hidden = arrays[view]["mask"]
                predictions.append(head(features[view][hidden]))
                targets.append(arrays[view][target][hidden])
            term = loss_fn(torch.cat(predictions), torch.cat(targets))
            loss = loss + self.reconstruct_weight * term
            out[f"{target}_loss"] = term.detach()
        out["loss"] = loss + self.untouched_parameters_term()
        return out

    def contrast(
        self,
        features: dict[str, torch.Tensor],
        arrays: dict[str, dict[str, torch.Tensor]],
        pairs: torch.Tensor,
        num_samples: int,
    ) -> torch.Tensor:
        """The contrastive term of the step: batch-wide or per-scene InfoNCE, or CSC's per-scene loss.

        ``num_samples`` is the number of samples in the batch (Pointcept's CSC divides by it, scenes
        without a pair included). A batch without a usable pair gives 0 with a graph through both views.
        """
        zero = features["view1"].sum() * 0.0 + features["view2"].sum() * 0.0
        if len(pairs) == 0:
            return zero
        i, j = pairs[:, 0], pairs[:, 1]
        query, key = features["view1"][i], features["view2"][j]
        if self.partitions == 1 and self.negatives == "batch":  # Pointcept's MSC-v1m1: one cross-entropy
            return info_nce(query, key, self.nce_t)
        scene = arrays["view1"]["batch"][i]
        terms = []
        for s in torch.unique(scene).tolist():
            rows = torch.nonzero(scene == s).flatten()
            if self.partitions == 1:
                if len(rows) > 1:  # one pair alone has no negative
                    terms.append(info_nce(query[rows], key[rows], self.nce_t))
                continue
            # Pointcept's orientation: anchor = the pair's view-2 copy, key = its view-1 copy
            partition = csc_partitions(arrays["view2"]["origin_coord"][j[rows]].float(),
                                       arrays["view1"]["origin_coord"][i[rows]].float(), self.r1, self.r2)
            term, count = csc_info_nce(query[rows], key[rows], partition, self.nce_t, self.partitions,
                                       self.csc_reduction)
            if count:
                terms.append(term)
        if not terms:
            return zero
        if self.partitions == 4 and self.csc_reduction == "pointcept":
            return torch.stack(terms).sum() / (num_samples * self.partitions)
        return torch.stack(terms).mean()

    def untouched_parameters_term(self) -> torch.Tensor:
        """0 x the parameters a step may leave unused (no hidden point): DDP then sees a gradient for each."""
        extra = [p for p in (self.mask_token,) if p is not None]
        for head in (self.color_head, self.normal_head):
            if head is not None:
                extra += list(head.parameters())
        if not extra:
            return torch.zeros(())
        return sum(p.sum() for p in extra) * 0.0


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")


def _backbone_input(arrays: Mapping[str, torch.Tensor], offset: torch.Tensor) -> dict[str, torch.Tensor]:
    return {"coord": arrays["coord"], "grid_coord": arrays["grid_coord"], "feat": arrays["feat"], "offset": offset}


def _preset(name: str, doc: str, **defaults: Any) -> type:
    """A registered variant of MaskedSceneContrast whose constructor has other defaults (and says so)."""
    base_signature = inspect.signature(MaskedSceneContrast.__init__)
    for key in defaults:
        if key not in base_signature.parameters:
            raise KeyError(f"preset {name}: {key!r} is not an argument of MaskedSceneContrast")

    def __init__(self, backbone: dict, **kwargs: Any) -> None:
        MaskedSceneContrast.__init__(self, backbone, **{**defaults, **kwargs})

    params = [p.replace(default=defaults[p.name]) if p.name in defaults else p
              for p in base_signature.parameters.values()]
    __init__.__signature__ = base_signature.replace(parameters=params)  # type: ignore[attr-defined]
    cls = type(name, (MaskedSceneContrast,), {"__init__": __init__, "__doc__": doc, "PRESET": dict(defaults)})
    cls.__module__ = __name__
    return cls


PointContrast = _preset(
    "PointContrast",
    "PointContrast (Xie et al., ECCV 2020): matched-point InfoNCE only, tau 0.07, 4096 pairs.",
    mask_rate=0.0, view1_mix_prob=0.0, view2_mix_prob=0.0, matching_max_pair=4096, nce_t=0.07,
    reconstruct_weight=0.0,
)
ContrastiveSceneContexts = _preset(
    "ContrastiveSceneContexts",
    "CSC (Hou et al., CVPR 2021): InfoNCE within 4 spatial partitions and the near region around each "
    "anchor, per scene, as Pointcept's MSC-v1m2 with its config's radii (r1 2 m, r2 20 m).",
    mask_rate=0.0, view1_mix_prob=0.0, view2_mix_prob=0.0, matching_max_pair=8192, nce_t=0.4,
    reconstruct_weight=0.0, partitions=4, r1=2.0, r2=20.0, negatives="scene",
)
MODELS.register_module("PointContrast-v1m1", module=PointContrast)
MODELS.register_module("MSC-v1m2", module=ContrastiveSceneContexts)
MODELS.register_module("CSC-v1m1", module=ContrastiveSceneContexts)
