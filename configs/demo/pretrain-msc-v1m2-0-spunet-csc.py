# CSC on the demo rooms at GroupContrast's demo budget (see pretrain-msc-v1m1-0-spunet-base.py): Pointcept's
# CSC loss (4 partitions + the near region, r1 = 2 m, r2 = 20 m, per scene; see
# configs/scannet/pretrain-msc-v1m2-0-spunet-csc.py for what the radii mean in a room), tau 0.4, 4096
# pairs, no masking, mixing or reconstruction; no scale augmentation, voxel 0.05 m (the
# demo budget's).
# Fine-tune with weight_mapping = [("student.backbone.", "backbone.")].
# Benchmark-profile deviation: colour + normal input (6 channels) as every other method here, not Pointcept's
# colour-only PC/CSC input, so that one fine-tuning config (6 channels) loads every method's whole backbone;
# the full-ScanNet config keeps Pointcept's colour-only input.
_base_ = ["pretrain-msc-v1m1-0-spunet-base.py"]

from pointcept.datasets.pipelines_msc import pointcontrast_pretrain_pipeline as _pc_pipeline  # noqa: E402

save_path = "exp/demo/pretrain-msc-v1m2-0-spunet-csc"
model = dict(
    type="MSC-v1m2",
    mask_rate=0.0,
    view1_mix_prob=0.0,
    view2_mix_prob=0.0,
    matching_max_pair=4096,
    nce_t=0.4,
    negatives="scene",
    reconstruct_weight=0.0,
    reconstruct_color=False,
    partitions=4,
    r1=2.0,
    r2=20.0,
    csc_reduction="pointcept",
)
data = dict(
    train=dict(
        transform=_pc_pipeline(grid_size=0.05, crop_ratio=0.6, match_radius=0.05, feat_keys=("color", "normal")),
    ),
)
