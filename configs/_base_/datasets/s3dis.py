# S3DIS, 13 classes, Pointcept layout (data/s3dis/Area_N/<room>/*.npy); Area_5 validates; voxel 0.05 m.
from pointcept.datasets.pipelines import semseg_data as _semseg_data
from pointcept.datasets.s3dis import S3DIS_CLASS_NAMES as _NAMES

data = dict(
    num_classes=13,
    ignore_index=-1,
    names=list(_NAMES),
    **_semseg_data("S3DISDataset", "data/s3dis", grid_size=0.05, feat_keys=("color", "normal"),
                   train_split="train", val_split="val", test_split="val"),
)
