# VoteNet on SparseUNet34C (SpUNet-v1m1, 96-d per-point features) for ScanNet v2 (18 classes, axis-aligned
# boxes from the instance labels), the paper's Table 2c row with its Table 5f schedule (SGD lr 1e-3,
# momentum 0.9, wd 0, batch 64, 180 epochs, step decay), voxel 0.02 m, on axis-aligned scans in the
# Pointcept layout. As in VoteNet's ScanNet setting boxes stay axis-aligned: one heading bin, headings
# predicted as 0, rotations of +-5 deg replace a box by the axis-aligned box around it.
# Fine-tune from GroupContrast with the -1-pretrained config.
from pointcept.datasets.detection import SCANNET_DETECTION_CLASS_NAMES as _NAMES
from pointcept.datasets.pipelines_detection import detection_data as _detection_data

_base_ = ["../_base_/detection_runtime.py", "../_base_/schedules/sgd-step-detection.py"]

batch_size = 64
epoch = 180
eval_epoch = 18
num_worker = 16
enable_amp = True

# VoteNet's ScanNet class means (scannet/meta_data/scannet_means.npz, its class order = ours); recompute
# them for other data with tools/compute_mean_sizes.py --dataset scannet.
mean_sizes = [
    [0.7697, 0.8116, 0.9257],  # cabinet
    [1.8769, 1.8426, 1.1932],  # bed
    [0.6133, 0.6149, 0.7183],  # chair
    [1.3955, 1.5122, 0.8344],  # sofa
    [0.9795, 1.0675, 0.6330],  # table
    [0.5317, 0.5956, 1.7500],  # door
    [0.9625, 0.7246, 1.1482],  # window
    [0.8322, 1.0491, 1.6876],  # bookshelf
    [0.2113, 0.4206, 0.5373],  # picture
    [1.4440, 1.8971, 0.2699],  # counter
    [1.0294, 1.4041, 0.8755],  # desk
    [1.3766, 0.6552, 1.6813],  # curtain
    [0.6651, 0.7111, 1.2989],  # refrigerator
    [0.4200, 0.3791, 1.7514],  # shower curtain
    [0.5936, 0.5912, 0.7392],  # toilet
    [0.5087, 0.5066, 0.3014],  # sink
    [1.1512, 1.0546, 0.4971],  # bathtub
    [0.4754, 0.4925, 0.5802],  # otherfurniture (VoteNet: garbagebin)
]

model = dict(
    type="VoteNet",
    backbone=dict(type="SpUNet-v1m1", in_channels=6, num_classes=0),
    backbone_out_channels=96,
    num_classes=18,
    mean_sizes=mean_sizes,
    num_heading_bin=1,
    axis_aligned=True,
    num_seed=1024,
    num_proposal=256,
    vote_radius=0.3,
    vote_nsample=16,
)

data = dict(
    num_classes=18,
    names=list(_NAMES),
    **_detection_data("ScanNetDetectionDataset", "data/scannet", grid_size=0.02, feat_keys=("color", "normal"),
                      augment=dict(flip_axes=("x", "y"), rotate=1 / 36, scale=(0.85, 1.15), axis_aligned=True)),
)
