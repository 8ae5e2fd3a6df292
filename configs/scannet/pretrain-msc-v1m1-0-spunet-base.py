# Masked Scene Contrast pretraining (Wu et al., CVPR 2023) of SparseUNet34C on ScanNet v2, as Pointcept's
# pretrain-msc-v1m1-0-spunet-base: grid masking (0.1 m cells, rate 0.4, learnable mask token), view mixing
# (p = 0.8 on view 1), matching within 0.03 m (k = 8, 8192 pairs per batch), point InfoNCE tau 0.4 as ONE
# cross-entropy over all sampled pairs of the batch (negatives from every scene of the batch), colour
# reconstruction of the masked points (weight 1); SGD lr 0.1, momentum 0.8, nesterov, wd 1e-4, OneCycleLR,
# 600 epochs, batch 32, fp32 and per-GPU BatchNorm (Pointcept: enable_amp = False, sync_bn = False).
# Unlabelled pretraining data: train + val + test scans, as Pointcept. Views: Pointcept's MSC pipeline
# (scale once before the copy, SphereCrop 0.6, 2 cm voxels), the same generator GroupContrast uses.
# Kept deviations (see pointcept/models/masked_scene_contrast/model.py): Pointcept all-reduces the loss
# inside forward and divides it by the world size, which (all_reduce being no autograd op) divides the
# InfoNCE gradient by the number of GPUs on top of DDP's averaging; we do not reproduce that scaling.
# Fine-tuning: the backbone is saved as "student.backbone.*" (like GroupContrast), so the semseg ft configs'
# weight_mapping = [("student.backbone.", "backbone.")] loads it unchanged.
_base_ = [
    "../_base_/pretrain_runtime.py",
    "../_base_/models/msc.py",
    "../_base_/pipelines/pretrain.py",
    "../_base_/schedules/sgd-pretrain.py",
]

batch_size = 32
num_worker = 32
epoch = 600
eval_epoch = 100
enable_amp = False
sync_bn = False

model = dict(mask_token=True, view2_mix_prob=0.0, unmask_matched_pairs=False, contrast_weight=1.0,
             partitions=1)
scheduler = dict(type="OneCycleLR", max_lr=0.1, pct_start=0.01, anneal_strategy="cos", div_factor=10.0,
                 final_div_factor=10000.0)

_grid_size = 0.02
_match_radius = 0.03
data = dict(
    train=dict(
        type="ScanNetDataset",
        split=["train", "val", "test"],
        data_root="data/scannet",
        transform="${_msc_pretrain}",
    ),
)
