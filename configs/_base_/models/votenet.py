# VoteNet on SpUNet-v1m1 (96-d per-point features): 1024 seeds vote (radius 0.3 m, 16 neighbours), 256
# proposals, 12 heading bins; box sizes are residuals to the config's per-class mean_sizes.
_base_ = ["spunet-v1m1.py"]

model = dict(
    type="VoteNet",
    backbone="${_backbone}",
    backbone_out_channels=96,
    num_classes="${data.num_classes}",
    mean_sizes="${mean_sizes}",
    num_heading_bin=12,
    num_seed=1024,
    num_proposal=256,
)
