# VoteNet (full SparseUNet34C) on the SUN RGB-D sample shipped beside the project
# (../shared/data/sunrgbd-votenet: 10 train, 5 val frames), sized for a ~15 min CPU run: voxel 0.05 m (the
# CPU GroupContrast run's), batch 2, 250 steps, VoteNet's own Adam recipe (the paper's SGD 1e-3 schedule
# needs far more steps). Mean sizes come from this train split (13 boxes: chairs, tables, a desk; the other
# classes get the overall mean). Run from the repo root:
#   python tools/train.py --config-file configs/sunrgbd/detection-votenet-spunet-v1m1-2-real-cpu.py \
#       --options save_path=exp/sunrgbd/detection-real-cpu
_base_ = ["detection-votenet-spunet-v1m1-0-base.py"]

from pointcept.datasets.detection import SUNRGBD_CLASS_NAMES as _NAMES  # noqa: E402
from pointcept.datasets.pipelines_detection import detection_data as _detection_data  # noqa: E402

batch_size = 2
num_worker = 1
epoch = 50
eval_epoch = 5
seed = 0
enable_amp = False

# python tools/compute_mean_sizes.py --dataset sunrgbd --data-root ../shared/data/sunrgbd-votenet
mean_sizes = [
    [0.7164, 1.1881, 1.1048],  # bed: no boxes: overall mean
    [1.8748, 4.5302, 2.0025],  # table: 2 boxes
    [0.7164, 1.1881, 1.1048],  # sofa: no boxes: overall mean
    [0.4780, 0.4812, 0.9693],  # chair: 10 boxes
    [0.7164, 1.1881, 1.1048],  # toilet: no boxes: overall mean
    [0.7840, 1.5732, 0.6636],  # desk: 1 box
    [0.7164, 1.1881, 1.1048],  # dresser: no boxes: overall mean
    [0.7164, 1.1881, 1.1048],  # night_stand: no boxes: overall mean
    [0.7164, 1.1881, 1.1048],  # bookshelf: no boxes: overall mean
    [0.7164, 1.1881, 1.1048],  # bathtub: no boxes: overall mean
]
model = dict(mean_sizes=mean_sizes, backbone=dict(bn_momentum=0.1))
optimizer = dict(_delete_=True, type="Adam", lr=0.002, weight_decay=0.0)
scheduler = dict(_delete_=True, type="CosineAnnealingLR", warmup_ratio=0.05)
clip_grad = 10.0

data = dict(
    _delete_=True,
    num_classes=10,
    names=list(_NAMES),
    **_detection_data("SUNRGBDDataset", "../shared/data/sunrgbd-votenet", grid_size=0.05,
                      feat_keys=("color", "normal"), votes=True,
                      dataset_args=dict(estimate_normals=True, require=("point_votes",), cache=True),
                      augment=dict(flip_axes=("x",), rotate=1 / 6, scale=(0.85, 1.15))),
)
