# The demo pretraining profile, applied as an _overlay_ so that every method (GroupContrast, MSC,
# PointContrast, CSC) pretrains on the demo rooms at the same cost: the slim SpUNet-v1m1 (48-d features),
# batch 4, 10 epochs in 2 rounds, SGD (schedules/sgd-pretrain.py) with cosine decay after 1 warmup epoch,
# voxel 0.05 m and a pairing radius of one voxel.
_overlay_ = ["models/spunet-v1m1-slim.py"]

batch_size = 4
num_worker = 1
epoch = 10
eval_epoch = 5
seed = 0

scheduler = dict(_delete_=True, type="CosineAnnealingLR", warmup_epochs=1)
model = dict(backbone_out_channels=48)
_grid_size = 0.05
_match_radius = 0.05
data = dict(train=dict(type="DemoDataset", data_root="data/demo"))
