# S3DIS, 13 classes, Pointcept layout (data/s3dis/Area_N/<room>/*.npy); Area_5 validates; voxel 0.05 m. Every
# class has instances (walls, floors, ceilings are annotated objects), so none is left out of grouping.
_base_ = ["segmentation.py"]

_num_classes = 13
_names = "${_s3dis_names}"
_dataset_type = "S3DISDataset"
_data_root = "data/s3dis"
_grid_size = 0.05
_point_max = 100000
_test_aug = "${_pointcept_tta}"
_segment_ignore_index = (-1,)  # only ignored points
