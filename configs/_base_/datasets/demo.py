# Built-in procedural demo rooms (tools/make_demo_data.py writes data/demo); 9 classes; voxel 0.05 m, crops of
# 40k points. Whole-scene testing uses no test-time augmentation to keep the demo fast. Floor and wall are
# stuff.
_base_ = ["segmentation.py"]

_num_classes = 9
_names = "${_demo_names}"
_dataset_type = "DemoDataset"
_data_root = "data/demo"
_grid_size = 0.05
_point_max = 40000
_test_aug = [[]]
_segment_ignore_index = (-1, 0, 1)  # ignored points, floor, wall
