# PointGroup (PG-v1m1) on SparseUNet34C for S3DIS instance segmentation (Area 5 held out), the paper's recipe
# (Table 5d/5e): SGD lr 0.1, momentum 0.9, weight decay 1e-4, poly schedule, batch 12, 3000 epochs, voxel
# 0.05 m. Every S3DIS class has instances (walls, floors, ceilings are annotated objects), so all 13 are
# grouped and evaluated, as in Pointcept. The radius scales with the voxel: 1.5 voxels = 7.5 cm.
_base_ = [
    "../_base_/insseg_runtime.py",
    "../_base_/datasets/s3dis.py",
    "../_base_/pipelines/instance.py",
    "../_base_/models/pointgroup.py",
    "../_base_/schedules/sgd-poly-insseg.py",
]
_overlay_ = ["../_base_/models/spunet-v1m1-34c.py"]

batch_size = 12
epoch = 3000
eval_epoch = 100
num_worker = 12
enable_amp = True

model = dict(backbone_out_channels=96, cluster_radius=0.075)
