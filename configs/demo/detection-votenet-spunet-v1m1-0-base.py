# VoteNet on the demo rooms (7 furniture classes, oriented boxes from the generator) with the slim SpUNet-v1m1
# of the demo semseg config, sized for about a minute on a 2-core CPU: voxel 0.1 m, batch 2, 72 steps,
# 512 seeds, 128 proposals and VoteNet's own Adam recipe (the paper's SGD 1e-3 schedule needs far more steps).
# One evaluation at the end (eval_epoch = 1) keeps the time on training.
# Mean sizes: python tools/compute_mean_sizes.py --dataset demo --data-root data/demo
_base_ = [
    "../_base_/detection_runtime.py",
    "../_base_/datasets/demo_detection.py",
    "../_base_/pipelines/detection.py",
    "../_base_/models/votenet.py",
]
_overlay_ = ["../_base_/models/spunet-v1m1-slim.py", "../_base_/schedules/adam-cosine-votenet.py"]

save_path = "exp/demo/detection-votenet-spunet-v1m1-0-base"
batch_size = 2
num_worker = 1
epoch = 6
eval_epoch = 1
seed = 0

model = dict(backbone_out_channels=48, num_seed=512, num_proposal=128)
