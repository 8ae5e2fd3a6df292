# VoteNet on the demo rooms (7 furniture classes, oriented boxes from the generator) with the slim SpUNet-v1m1
# of the demo semseg config, sized for about a minute on a 2-core CPU: voxel 0.1 m, batch 2, 72 steps,
# 512 seeds, 128 proposals and VoteNet's own Adam recipe (the paper's SGD 1e-3 schedule needs far more steps).
# One evaluation at the end (eval_epoch = 1) keeps the time on training.
# Mean sizes: python tools/compute_mean_sizes.py --dataset demo --data-root data/demo
from pointcept.datasets.detection_demo import DEMO_DETECTION_CLASS_NAMES as _NAMES
from pointcept.datasets.pipelines_detection import detection_data as _detection_data

_base_ = ["../_base_/detection_runtime.py"]

save_path = "exp/demo/detection-votenet-spunet-v1m1-0-base"
batch_size = 2
num_worker = 1
epoch = 6
eval_epoch = 1
seed = 0

# per-class mean box sizes dx, dy, dz (m) of data/demo/train (24 rooms, 154 boxes)
mean_sizes = [
    [0.4906, 0.4860, 0.8740],  # chair
    [1.1806, 0.7908, 0.7062],  # table
    [1.7797, 0.8795, 0.8145],  # sofa
    [1.4631, 2.0239, 1.0621],  # bed
    [0.8729, 0.4900, 0.9730],  # cabinet
    [0.9239, 0.3421, 1.6082],  # bookshelf
    [0.4092, 0.4092, 1.5688],  # lamp
]

model = dict(
    type="VoteNet",
    backbone=dict(
        type="SpUNet-v1m1",
        in_channels=6,
        num_classes=0,
        channels=(16, 32, 64, 128, 128, 64, 48, 48),
        layers=(1, 1, 1, 1, 1, 1, 1, 1),
        bn_momentum=0.1,  # a short schedule: running statistics must converge within ~100 steps
    ),
    backbone_out_channels=48,
    num_classes=7,
    mean_sizes=mean_sizes,
    num_heading_bin=12,
    num_seed=512,
    num_proposal=128,
)
optimizer = dict(type="Adam", lr=0.002, weight_decay=0.0)
scheduler = dict(type="CosineAnnealingLR", warmup_ratio=0.05)
clip_grad = 10.0

data = dict(
    num_classes=7,
    names=list(_NAMES),
    **_detection_data("DemoDetectionDataset", "data/demo", grid_size=0.1, feat_keys=("color", "normal"),
                      augment=dict(flip_axes=("x", "y"), rotate=1 / 6, scale=(0.9, 1.1))),
)
