# VoteNet on SparseUNet34C (SpUNet-v1m1, 96-d per-point features) for SUN RGB-D v1 (10 classes, oriented
# boxes), the paper's Table 2c row with its Table 5f schedule (SGD lr 1e-3, momentum 0.9, wd 0, batch 64,
# 180 epochs, step decay), voxel 0.02 m. Data: VoteNet's preprocessed frames in
# data/sunrgbd/{train,val}/<id>_{pc.npz,bbox.npy,votes.npz}; normals are estimated (towards the camera)
# so the input matches GroupContrast's colour + normal backbones. Fine-tune from GroupContrast with the
# -1-pretrained config.
from pointcept.datasets.detection import SUNRGBD_CLASS_NAMES as _NAMES
from pointcept.datasets.pipelines_detection import detection_data as _detection_data

_base_ = ["../_base_/detection_runtime.py", "../_base_/schedules/sgd-step-detection.py"]

batch_size = 64
epoch = 180
eval_epoch = 18
num_worker = 16
enable_amp = True

# VoteNet's published SUN RGB-D class means (full sizes along the box's heading axis, then across, then
# height); recompute them for other data with tools/compute_mean_sizes.py --dataset sunrgbd.
mean_sizes = [
    [2.114256, 1.620300, 0.927272],  # bed
    [0.791118, 1.279516, 0.718182],  # table
    [0.923508, 1.867419, 0.845495],  # sofa
    [0.591958, 0.552978, 0.827272],  # chair
    [0.699104, 0.454178, 0.756250],  # toilet
    [0.695190, 1.346299, 0.736364],  # desk
    [0.528526, 1.002642, 1.172878],  # dresser
    [0.500618, 0.632163, 0.683424],  # night_stand
    [0.404671, 1.071108, 1.688889],  # bookshelf
    [0.765840, 1.398258, 0.472728],  # bathtub
]

model = dict(
    type="VoteNet",
    backbone=dict(type="SpUNet-v1m1", in_channels=6, num_classes=0),
    backbone_out_channels=96,
    num_classes=10,
    mean_sizes=mean_sizes,
    num_heading_bin=12,
    num_seed=1024,
    num_proposal=256,
    vote_radius=0.3,
    vote_nsample=16,
)

data = dict(
    num_classes=10,
    names=list(_NAMES),
    **_detection_data("SUNRGBDDataset", "data/sunrgbd", grid_size=0.02, feat_keys=("color", "normal"),
                      votes=True, dataset_args=dict(estimate_normals=True, require=("point_votes",)),
                      augment=dict(flip_axes=("x",), rotate=1 / 6, scale=(0.85, 1.15))),
)
