# Masked Scene Contrast on the demo rooms, at GroupContrast's demo budget (same slim SpUNet-v1m1, batch 4,
# 10 epochs, SGD lr 0.1 + cosine with 1 warmup epoch, voxel 0.05 m) so the methods compare at equal cost.
# Matching radius 0.05 m = the voxel (GC's demo generator radius), 4096 pairs per batch (GC demo: 1024 per
# scene x 4), one InfoNCE over the batch's pairs as Pointcept. Unlabelled pretraining data: the demo's
# train + val rooms (the splits it has; Pointcept pretrains on all scans). Fine-tune with
# weight_mapping = [("student.backbone.", "backbone.")] (backbone saved as student.backbone.*, like GC).
_base_ = [
    "../_base_/pretrain_runtime.py",
    "../_base_/models/msc.py",
    "../_base_/pipelines/pretrain.py",
    "../_base_/schedules/sgd-pretrain.py",
]
_overlay_ = ["../_base_/pretrain_demo.py"]

save_path = "exp/demo/pretrain-msc-v1m1-0-spunet-base"

model = dict(matching_max_pair=4096)
data = dict(train=dict(split=["train", "val"], transform="${_msc_pretrain}"))
