# GroupContrast pretraining on the real ScanNet sample (../shared/data/scannet-real train + val, 13 scans) on a
# CPU budget: full SparseUNet34C, voxel 0.05 m, batch 2, 30 epochs. The sample ships without segments or
# normals, so both are computed when a scene is first loaded (graph cut in point-cloud mode) and cached.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

from pointcept.datasets.pipelines_pretrain import groupcontrast_pretrain_pipeline as _pipeline  # noqa: E402

batch_size = 2
num_worker = 1
epoch = 30
eval_epoch = 6
seed = 0
enable_amp = False
sync_bn = False

model = dict(backbone=dict(bn_momentum=0.1), teacher_momentum=0.99)
scheduler = dict(warmup_epochs=3)
data = dict(
    train=dict(
        split=["train", "val"],  # every scan of the sample, unlabelled (the sample has no test split)
        data_root="../shared/data/scannet-real",
        assets=dict(_delete_=True),
        estimate_normals=True,
        superpoints={},
        cache=True,
        transform=_pipeline(grid_size=0.05, crop_ratio=0.6, match_radius=0.05, feat_keys=("color", "normal")),
    ),
)
