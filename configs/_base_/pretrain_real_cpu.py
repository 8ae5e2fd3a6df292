# The real-sample CPU pretraining profile, applied as an _overlay_ over a ScanNet pretraining config so that
# every method pretrains on ../shared/data/scannet-real at the same cost: its train + val scans (the only
# splits it has; unlabelled), normals estimated when a scene is first loaded and cached, full SparseUNet34C
# with BN momentum 0.1, voxel 0.05 m and a pairing radius of one voxel, batch 2, 30 epochs, cosine with 3
# warmup epochs, no AMP or SyncBN.
_overlay_ = ["schedules/cpu-budget.py"]

epoch = 30
eval_epoch = 6

scheduler = dict(_delete_=True, type="CosineAnnealingLR", warmup_epochs=3)
_backbone = dict(bn_momentum=0.1)
_grid_size = 0.05
_match_radius = 0.05
data = dict(train=dict(split=["train", "val"], data_root="../shared/data/scannet-real", estimate_normals=True,
                       cache=True))
