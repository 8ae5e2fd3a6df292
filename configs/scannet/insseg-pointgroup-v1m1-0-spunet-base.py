# PointGroup (PG-v1m1) on SparseUNet34C (SpUNet-v1m1) for ScanNet v2 instance segmentation, with the paper's
# fine-tuning recipe (Table 5d/5e): SGD lr 0.1, momentum 0.9, weight decay 1e-4, poly schedule, batch 48,
# 800 epochs, voxel 0.02 m. Wall and floor have no instances; AP is scored on the 18 other classes.
# From GroupContrast weights: insseg-pointgroup-spunet-v1m1-1-pretrained.py.
_base_ = [
    "../_base_/insseg_runtime.py",
    "../_base_/datasets/scannet.py",
    "../_base_/pipelines/instance.py",
    "../_base_/models/pointgroup.py",
    "../_base_/schedules/sgd-poly-insseg.py",
]
_overlay_ = ["../_base_/models/spunet-v1m1-34c.py"]

batch_size = 48
epoch = 800
eval_epoch = 100
num_worker = 16
enable_amp = True

model = dict(backbone_out_channels=96)
