# GroupContrast pretraining on the demo rooms with the slim SpUNet-v1m1 of the demo semseg config.
# Segments are the generator's superpoint.npy (the stand-in for ScanNet's mesh over-segmentation).
from pointcept.datasets.pipelines_pretrain import groupcontrast_pretrain_pipeline as _pipeline

_base_ = ["../_base_/pretrain_runtime.py"]

save_path = "exp/demo/pretrain-groupcontrast-v1m1-0-spunet-base"
batch_size = 4
num_worker = 1
epoch = 10
eval_epoch = 5
seed = 0

model = dict(
    type="GC-v1m1",
    backbone=dict(
        type="SpUNet-v1m1",
        in_channels=6,
        num_classes=0,
        channels=(16, 32, 64, 128, 128, 64, 48, 48),
        layers=(1, 1, 1, 1, 1, 1, 1, 1),
        bn_momentum=0.1,
    ),
    backbone_out_channels=48,
    projector_hidden=128,
    group_dim=64,
    contrast_dim=64,
    num_prototypes=16,
    num_samples=1024,
    tau_s=0.1,
    tau_t=0.07,
    tau=0.4,
    group_loss_weight=1.0,
    contrast_loss_weight=1.0,
    teacher_momentum=0.99,
)
optimizer = dict(type="SGD", lr=0.1, momentum=0.8, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=1)

data = dict(
    train=dict(
        type="DemoDataset",
        split="train",
        data_root="data/demo",
        require=("superpoint",),
        transform=_pipeline(grid_size=0.05, crop_ratio=0.6, match_radius=0.05, feat_keys=("color", "normal")),
    ),
)
