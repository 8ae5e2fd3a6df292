# ScanNet v2, 20 classes, Pointcept layout (data/scannet/{train,val,test}/<scene>/*.npy); voxel 0.02 m;
# whole-scene testing with Pointcept's 13 test-time augmentations. Wall and floor have no instances.
_base_ = ["segmentation.py"]

_num_classes = 20
_names = "${_scannet20_names}"
_dataset_type = "ScanNetDataset"
_data_root = "data/scannet"
_grid_size = 0.02
_point_max = 100000
_test_aug = "${_pointcept_tta}"
_segment_ignore_index = (-1, 0, 1)  # ignored points, wall, floor: never grouped, not evaluated
