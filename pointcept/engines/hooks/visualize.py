"""Tensorboard pictures of what GroupContrast learns, every few epochs (paper Figures 1, 4, 6, 8).

Watching groups form (or collapse into one) says more about a pretraining run than the loss does. The
hook is deliberately cheap and side-effect free: one scene, a small top-down figure, rank 0 only, no
gradient, the model's train/eval mode and every RNG (python, numpy, torch, CUDA) restored afterwards,
so a run with the hook and a resumed run stay identical to one without it.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from pointcept.utils.comm import is_main_process

from pointcept.models.weights import unwrap_model
from pointcept.utils.seed import rng_state, set_rng_state
from .base import HOOKS, HookBase, every_n_data_epochs

SOURCES = ("batch", "dataset")
#: columns of each feature key in ``feat`` (the rest are 3 wide: color, normal, coord)
FEATURE_WIDTHS = {"strength": 1}


@HOOKS.register_module()
class GroupContrastVisualizer(HookBase):
    """Log RGB | segments | groups | confidence | similarity of one scene as a tensorboard image.

    Args:
        interval: every this many passes over the data (checked at round ends), and after the last round.
        source: "batch" = the first sample of the last training batch (its student view, as trained on:
            segments exist only in the overlap of the two views); "dataset" = scene ``scene_index`` of
            the training set, whole and the same every time, so epochs compare directly.
        query_index: query point of the similarity map (default: a point near the middle of the scene).
        feature: "backbone" or "contrast" features for the similarity.
        bn_stats: "batch" (default): BatchNorm normalises with the sample's own statistics, as in the
            teacher forward that computes the loss's assignment K (running statistics lag the weights
            for hundreds of steps at Pointcept's BN momentum 0.01, and eval-mode pictures then show one
            group); "running": plain eval mode. The buffers are restored either way.
        views: "top" and/or "oblique" rows; panel_px: pixels per panel; max_points: points drawn.
        tag: tensorboard tag.
    """

    def __init__(
        self,
        interval: int = 1,
        source: str = "batch",
        scene_index: int = 0,
        query_index: int | None = None,
        feature: str = "backbone",
        bn_stats: str = "batch",
        views: Sequence[str] = ("top",),
        panel_px: int = 256,
        max_points: int = 30_000,
        tag: str = "groupcontrast",
    ):
        if source not in SOURCES:
            raise ValueError(f"GroupContrastVisualizer: source must be one of {SOURCES}, got {source!r}")
        self.interval = max(int(interval), 1)
        self.source = source
        self.scene_index = scene_index
        self.query_index = query_index
        self.feature = feature
        self.bn_stats = bn_stats
        self.views = tuple(views)
        self.panel_px = panel_px
        self.max_points = max_points
        self.tag = tag
        self._scene: dict[str, np.ndarray] | None = None

    def due(self) -> bool:
        trainer = self.trainer
        return every_n_data_epochs(trainer, self.interval) or trainer.epoch + 1 == trainer.max_epoch

    def after_epoch(self) -> None:
        trainer = self.trainer
        if trainer.writer is None or not is_main_process() or not self.due():
            return
        state = rng_state()
        model = trainer.model
        was_training = model.training
        try:
            model.eval()
            with torch.no_grad():
                image = self.render()
            trainer.writer.add_image(self.tag, image, trainer.epoch + 1, dataformats="HWC")
        finally:
            model.train(was_training)
            set_rng_state(state)

    # ------------------------------------------------------------------------------ the picture
    def render(self) -> np.ndarray:
        """(H, W, 3) uint8 panel of the chosen sample."""
        from pointcept.visualization.groupcontrast import compute_maps, input_spec, map_panels, prepare_scene
        from pointcept.visualization.render import render_array

        model = unwrap_model(self.trainer.model)
        spec = input_spec(self.trainer.cfg)
        if self.source == "dataset":
            scene = self.dataset_scene()
            inputs, inverse = prepare_scene(scene, spec)
            coord, color, segment = scene["coord"], scene.get("color"), scene["superpoint"]
        else:
            inputs, coord, color, segment = self.batch_sample(spec.feat_keys)
            inverse = None
        maps = compute_maps(model, inputs, segment, inverse, self.query_index, self.feature, coord=coord,
                            bn_stats=self.bn_stats)
        title = f"epoch {self.trainer.epoch + 1} ({self.source} sample, {self.bn_stats} BN statistics)"
        return render_array(coord, map_panels(maps, color), views=self.views, panel_px=self.panel_px,
                            max_points=self.max_points, title=title)

    def dataset_scene(self) -> dict[str, np.ndarray]:
        """Scene ``scene_index`` of the training set, loaded once (superpoints computed when absent)."""
        if self._scene is None:
            data: dict[str, Any] = self.trainer.train_loader.dataset.get_data(self.scene_index)
            scene = {k: np.asarray(data[k]) for k in ("coord", "color", "normal", "superpoint") if k in data}
            if "superpoint" not in scene:
                from pointcept.datasets.preprocessing.segmentation import segment_point_cloud

                scene["superpoint"] = segment_point_cloud(scene["coord"], normals=scene.get("normal"))
            self._scene = scene
        return self._scene

    def batch_sample(
        self, feat_keys: Sequence[str]
    ) -> tuple[dict, np.ndarray, np.ndarray | None, np.ndarray]:
        """The student view (``view1_*``) of the last batch's first sample: input, coord, colour, segments."""
        batch = self.trainer.comm_info["input_dict"]
        n = int(batch["view1_offset"].reshape(-1)[0])
        inputs = {
            "coord": batch["view1_coord"][:n],
            "grid_coord": batch["view1_grid_coord"][:n],
            "feat": batch["view1_feat"][:n],
            "offset": torch.tensor([n]),
        }
        coord = batch["view1_coord"][:n].detach().cpu().numpy()
        segment = np.full(n, -1)  # a pipeline without segments: no groups, only similarity
        if "view1_segment" in batch:
            segment = batch["view1_segment"][:n].detach().cpu().numpy()
        color = None
        if "color" in feat_keys:  # the colour columns of feat, 0-1 after NormalizeColor
            keys = list(feat_keys)
            start = sum(FEATURE_WIDTHS.get(k, 3) for k in keys[: keys.index("color")])
            color = batch["view1_feat"][:n, start : start + 3].detach().cpu().numpy() * 255.0
        return inputs, coord, color, segment
