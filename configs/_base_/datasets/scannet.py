# ScanNet v2, 20 classes, Pointcept layout (data/scannet/{train,val,test}/<scene>/*.npy); voxel 0.02 m.
from pointcept.datasets.meta.scannet import CLASS_NAMES_20 as _NAMES
from pointcept.datasets.pipelines import semseg_data as _semseg_data

data = dict(
    num_classes=20,
    ignore_index=-1,
    names=list(_NAMES),
    **_semseg_data("ScanNetDataset", "data/scannet", grid_size=0.02, feat_keys=("color", "normal")),
)
