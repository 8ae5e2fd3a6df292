# The small real ScanNet sample shipped beside the project (../shared/data/scannet-real: 10 train, 3 val scans
# in the Pointcept layout, no normal.npy), applied as an _overlay_ over a config on datasets/scannet.py or
# scannet_detection.py: normals are estimated on load and cached in memory. Voxel 0.05 m (the paper's S3DIS
# voxel) keeps full SparseUNet34C training near a minute per epoch on one core; whole-scene testing without
# test-time augmentation.
_data_root = "../shared/data/scannet-real"
_grid_size = 0.05
_test_aug = [[]]
data = dict(
    train=dict(estimate_normals=True, cache=True),
    val=dict(estimate_normals=True, cache=True),
    test=dict(estimate_normals=True, cache=True),
)
