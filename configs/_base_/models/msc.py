# Masked Scene Contrast (MSC-v1m1, Wu et al., CVPR 2023) as Pointcept's pretrain-msc-v1m1-0-spunet-base: grid
# masking (0.1 m cells, rate 0.4), view mixing (p = 0.8 on view 1), matching within the views' pairing radius
# _match_radius (k = 8, 8192 pairs per batch), point InfoNCE tau 0.4 over all pairs of the batch, colour
# reconstruction of the masked points. PointContrast and CSC are overlays on it (pointcontrast.py, csc.py).
_base_ = ["spunet-v1m1.py"]

model = dict(
    type="MSC-v1m1",
    backbone="${_backbone}",
    backbone_in_channels="${_backbone.in_channels}", backbone_out_channels=96,
    mask_grid_size=0.1, mask_rate=0.4,
    view1_mix_prob=0.8,
    matching_max_k=8, matching_max_radius="${_match_radius}", matching_max_pair=8192,
    nce_t=0.4, negatives="batch",
    reconstruct_weight=1.0, reconstruct_color=True, reconstruct_normal=False,
)
