# The small real ScanNet sample shipped beside the project (../shared/data/scannet-real: 10 train, 3 val
# scans in the Pointcept layout, no normal.npy): normals are estimated on load and cached in memory.
# Voxel 0.05 m (the paper's S3DIS voxel) keeps full SparseUNet34C training near a minute per epoch on one core.
from pointcept.datasets.meta.scannet import CLASS_NAMES_20 as _NAMES
from pointcept.datasets.pipelines import semseg_data as _semseg_data

data = dict(
    num_classes=20,
    ignore_index=-1,
    names=list(_NAMES),
    **_semseg_data("ScanNetDataset", "../shared/data/scannet-real", grid_size=0.05,
                   feat_keys=("color", "normal"), point_max=100000, test_augmentations=False,
                   dataset_args=dict(estimate_normals=True, cache=True)),
)
