# ScanNet v2 detection: 18 classes (the 20 without wall and floor), axis-aligned boxes from the instance
# labels of scans in the Pointcept layout, voxel 0.02 m. VoteNet's ScanNet augmentation: flips in x and y,
# rotations of +-5 deg that replace a box by the axis-aligned box around it, scaling 0.85-1.15.
_base_ = ["detection.py"]

_num_classes = 18
_names = "${_scannet_detection_names}"
_dataset_type = "ScanNetDetectionDataset"
_data_root = "data/scannet"
_grid_size = 0.02
_augment = [
    dict(type="DetectionRandomFlip", p=0.5, axes=("x", "y")),
    dict(type="DetectionRandomRotate", angle=(-1 / 36, 1 / 36), axis_aligned=True, p=1.0),
    dict(type="DetectionRandomScale", scale=(0.85, 1.15)),
]
_vote_keys = ()
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
