# SparseUNet34C (SpUNet-v1m1) semantic segmentation on ScanNet v2 with the paper's fine-tuning recipe.
# Fine-tune from GroupContrast: --options weight=exp/scannet/<pretrain>/model/model_last.pth
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/datasets/scannet.py",
    "../_base_/schedules/sgd-cosine-finetune.py",
]

batch_size = 48
epoch = 800
eval_epoch = 100
num_worker = 16
mix_prob = 0.8
enable_amp = True

model = dict(
    type="DefaultSegmentor",
    backbone=dict(
        type="SpUNet-v1m1",
        in_channels=6,
        num_classes=20,
        channels=(32, 64, 128, 256, 256, 128, 96, 96),
        layers=(2, 3, 4, 6, 2, 2, 2, 2),
    ),
    criteria=[dict(type="CrossEntropyLoss", loss_weight=1.0, ignore_index=-1)],
)
