# Masked Scene Contrast on the demo rooms, at GroupContrast's demo budget (same slim SpUNet-v1m1, batch 4,
# 10 epochs, SGD lr 0.1 + cosine with 1 warmup epoch, voxel 0.05 m) so the methods compare at equal cost.
# Matching radius 0.05 m = the voxel (GC's demo generator radius), 4096 pairs per batch (GC demo: 1024 per
# scene x 4), one InfoNCE over the batch's pairs as Pointcept. Unlabelled pretraining data: the demo's
# train + val rooms (the splits it has; Pointcept pretrains on all scans). Fine-tune with
# weight_mapping = [("student.backbone.", "backbone.")] (backbone saved as student.backbone.*, like GC).
from pointcept.datasets.pipelines_msc import msc_pretrain_pipeline as _pipeline

_base_ = ["../_base_/pretrain_runtime.py"]

save_path = "exp/demo/pretrain-msc-v1m1-0-spunet-base"
batch_size = 4
num_worker = 1
epoch = 10
eval_epoch = 5
seed = 0

model = dict(
    type="MSC-v1m1",
    backbone=dict(
        type="SpUNet-v1m1",
        in_channels=6,
        num_classes=0,
        channels=(16, 32, 64, 128, 128, 64, 48, 48),
        layers=(1, 1, 1, 1, 1, 1, 1, 1),
        bn_momentum=0.1,
    ),
    backbone_in_channels=6,
    backbone_out_channels=48,
    mask_grid_size=0.1,
    mask_rate=0.4,
    view1_mix_prob=0.8,
    matching_max_k=8,
    matching_max_radius=0.05,
    matching_max_pair=4096,
    nce_t=0.4,
    negatives="batch",
    reconstruct_weight=1.0,
    reconstruct_color=True,
    reconstruct_normal=False,
)
optimizer = dict(type="SGD", lr=0.1, momentum=0.8, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=1)

data = dict(
    train=dict(
        type="DemoDataset",
        split=["train", "val"],
        data_root="data/demo",
        transform=_pipeline(grid_size=0.05, crop_ratio=0.6, match_radius=0.05, feat_keys=("color", "normal")),
    ),
)
