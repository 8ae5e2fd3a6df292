# PointGroup (PG-v1m1) on SparseUNet34C for ScanNet200 instance segmentation, the paper's recipe (Table
# 5d/5e): the ScanNet config on the ScanNet200 labels of the same scans (SGD lr 0.1, momentum 0.9, weight
# decay 1e-4, poly schedule, batch 48, 800 epochs, voxel 0.02 m; the heads follow data.num_classes).
# Wall (0) and floor (2) have no instances; AP is scored on the other 198 classes.
_base_ = ["../scannet/insseg-pointgroup-v1m1-0-spunet-base.py"]

_dataset_type = "ScanNet200Dataset"
_segment_ignore_index = (-1, 0, 2)  # ignored points, wall, floor
_num_classes = 200
_names = "${_scannet200_names}"
