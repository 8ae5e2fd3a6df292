# Masked Scene Contrast on the real ScanNet sample (../shared/data/scannet-real: its train + val scans, the
# only splits it has; Pointcept pretrains on train + val + test) on a CPU budget, sized like
# pretrain-groupcontrast-v1m1-3-real-cpu.py so the methods compare at equal cost: full SparseUNet34C, voxel
# 0.05 m, batch 2, 30 epochs, cosine with 3 warmup epochs (instead of OneCycle), no AMP or SyncBN. Matching
# radius 0.05 m = the voxel (the GC real-CPU generator radius). Loss as Pointcept (one InfoNCE over the
# batch's pairs, see pretrain-msc-v1m1-0-spunet-base.py). Normals are estimated when a scene is first
# loaded and cached; no segments are needed.
# Fine-tune with weight_mapping = [("student.backbone.", "backbone.")].
_base_ = ["pretrain-msc-v1m1-0-spunet-base.py"]

from pointcept.datasets.pipelines_msc import msc_pretrain_pipeline as _pipeline  # noqa: E402

batch_size = 2
num_worker = 1
epoch = 30
eval_epoch = 6
seed = 0
enable_amp = False
sync_bn = False

model = dict(backbone=dict(bn_momentum=0.1), matching_max_radius=0.05)
scheduler = dict(_delete_=True, type="CosineAnnealingLR", warmup_epochs=3)
# At batch 2 the colour-reconstruction gradients explode at lr 0.1 (measured: colour loss 7.9 -> 45,198 within
# 10 steps, inf at step 12); Pointcept's batch 32 averages them out. PointContrast / CSC (no reconstruction)
# set it back to None.
clip_grad = 1.0
data = dict(
    train=dict(
        split=["train", "val"],
        data_root="../shared/data/scannet-real",
        estimate_normals=True,
        cache=True,
        transform=_pipeline(grid_size=0.05, crop_ratio=0.6, match_radius=0.05, feat_keys=("color", "normal")),
    ),
)
