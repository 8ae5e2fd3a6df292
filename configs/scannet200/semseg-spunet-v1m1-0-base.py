# SpUNet-v1m1 semantic segmentation on ScanNet200 (200 classes) with the paper's fine-tuning recipe: the
# ScanNet config on the ScanNet200 labels of the same scans (the classifier follows data.num_classes).
_base_ = ["../scannet/semseg-spunet-v1m1-0-base.py"]

_dataset_type = "ScanNet200Dataset"
_num_classes = 200
_names = "${_scannet200_names}"
