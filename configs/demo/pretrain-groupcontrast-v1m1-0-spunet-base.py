# GroupContrast pretraining on the demo rooms with the slim SpUNet-v1m1 of the demo semseg config.
# Segments are the generator's superpoint.npy (the stand-in for ScanNet's mesh over-segmentation).
_base_ = [
    "../_base_/pretrain_runtime.py",
    "../_base_/models/groupcontrast.py",
    "../_base_/pipelines/pretrain.py",
    "../_base_/schedules/sgd-pretrain.py",
]
_overlay_ = ["../_base_/pretrain_demo.py"]

save_path = "exp/demo/pretrain-groupcontrast-v1m1-0-spunet-base"

model = dict(projector_hidden=128, group_dim=64, contrast_dim=64, num_prototypes=16, num_samples=1024,
             teacher_momentum=0.99)
data = dict(train=dict(split="train", require=("superpoint",), transform="${_gc_pretrain}"))
