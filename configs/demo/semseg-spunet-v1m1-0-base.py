# Semantic segmentation on the demo rooms with a slim SpUNet-v1m1 (half width, one block per stage), sized
# so the README's demo finishes in minutes on a 2-core CPU. The real configs use the full SparseUNet34C.
_base_ = ["../_base_/default_runtime.py", "../_base_/datasets/demo.py"]

save_path = "exp/demo/semseg-spunet-v1m1-0-base"
batch_size = 4
num_worker = 1
epoch = 8
eval_epoch = 4
seed = 0

model = dict(
    type="DefaultSegmentor",
    backbone=dict(
        type="SpUNet-v1m1",
        in_channels=6,
        num_classes=9,
        channels=(16, 32, 64, 128, 128, 64, 48, 48),
        layers=(1, 1, 1, 1, 1, 1, 1, 1),
        bn_momentum=0.1,  # a short schedule: running statistics must converge within ~100 steps
    ),
    criteria=[dict(type="CrossEntropyLoss", loss_weight=1.0, ignore_index=-1)],
)
optimizer = dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=1)
