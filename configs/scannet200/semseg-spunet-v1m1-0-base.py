# SpUNet-v1m1 semantic segmentation on ScanNet200 (200 classes) with the paper's fine-tuning recipe.
from pointcept.datasets.meta.scannet import CLASS_NAMES_200 as _NAMES

_base_ = ["../scannet/semseg-spunet-v1m1-0-base.py"]

_data_root = "data/scannet"
data = dict(
    num_classes=200,
    names=list(_NAMES),
    train=dict(type="ScanNet200Dataset", data_root=_data_root),
    val=dict(type="ScanNet200Dataset", data_root=_data_root),
    test=dict(type="ScanNet200Dataset", data_root=_data_root),
)
model = dict(backbone=dict(num_classes=200))
