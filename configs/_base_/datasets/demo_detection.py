# The demo rooms as a detection data set (7 furniture classes, oriented boxes from the generator); voxel 0.1
# m. Augmentation: flips in x and y, rotations of +-30 deg, scaling 0.9-1.1.
_base_ = ["detection.py"]

_num_classes = 7
_names = "${_demo_detection_names}"
_dataset_type = "DemoDetectionDataset"
_data_root = "data/demo"
_grid_size = 0.1
_augment = [
    dict(type="DetectionRandomFlip", p=0.5, axes=("x", "y")),
    dict(type="DetectionRandomRotate", angle=(-1 / 6, 1 / 6), axis_aligned=False, p=1.0),
    dict(type="DetectionRandomScale", scale=(0.9, 1.1)),
]
_vote_keys = ()
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
