# Semantic-segmentation transforms (Pointcept's ScanNet pipeline) for the data block of
# datasets/segmentation.py: _train_transform, _val_transform, _test_transform, _test_cfg. Config variables
# they read, set by the dataset base: _grid_size (voxel, m), _point_max (points kept by the training crop),
# _test_aug (the whole-scene test-time augmentations: "${_pointcept_tta}" or [[]] for none). The same lists in
# code: pointcept.datasets.pipelines.semseg (tests/test_configs_are_data.py keeps the two equal).

# training: augment, voxelise, crop, re-centre (instance segmentation inserts its targets after this)
_augment_and_sample = [
    dict(type="CenterShift", apply_z=True),
    dict(type="RandomDropout", dropout_ratio=0.2, dropout_application_ratio=0.2),
    dict(type="RandomRotate", angle=[-1, 1], axis="z", center=[0, 0, 0], p=0.5),
    dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="x", p=0.5),
    dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="y", p=0.5),
    dict(type="RandomScale", scale=[0.9, 1.1]),
    dict(type="RandomFlip", p=0.5),
    dict(type="RandomJitter", sigma=0.005, clip=0.02),
    dict(type="ElasticDistortion", distortion_params=[[0.2, 0.4], [0.8, 1.6]]),
    dict(type="ChromaticAutoContrast", p=0.2, blend_factor=None),
    dict(type="ChromaticTranslation", p=0.95, ratio=0.05),
    dict(type="ChromaticJitter", p=0.95, std=0.05),
    dict(type="GridSample", grid_size="${_grid_size}", hash_type="fnv", mode="train", return_grid_coord=True),
    dict(type="SphereCrop", point_max="${_point_max}", mode="random"),
    dict(type="CenterShift", apply_z=False),
    dict(type="NormalizeColor"),
    dict(type="ShufflePoint"),
]
# validation (and instance testing): voxelise once, keep the original labels (_origin_keys) and the
# inverse map, so metrics count every original point
_origin_keys = {"segment": "origin_segment"}
_voxelize_once = [
    dict(type="CenterShift", apply_z=True),
    dict(type="Copy", keys_dict="${_origin_keys}"),
    dict(type="GridSample", grid_size="${_grid_size}", hash_type="fnv", mode="train", return_grid_coord=True,
         return_inverse=True),
    dict(type="CenterShift", apply_z=False),
    dict(type="NormalizeColor"),
]

_train_transform = [
    "${*_augment_and_sample}",
    dict(type="ToTensor"),
    dict(type="Collect", keys=("coord", "grid_coord", "segment"), feat_keys=("color", "normal")),
]
_val_transform = [
    "${*_voxelize_once}",
    dict(type="ToTensor"),
    dict(type="Collect", keys=("coord", "grid_coord", "segment", "origin_segment", "inverse"),
         feat_keys=("color", "normal")),
]
# whole-scene testing: voxel fragments covering every point, voted over the test-time augmentations
_test_transform = [dict(type="CenterShift", apply_z=True), dict(type="NormalizeColor")]
_test_cfg = dict(
    voxelize=dict(type="GridSample", grid_size="${_grid_size}", hash_type="fnv", mode="test",
                  return_grid_coord=True),
    crop=None,
    post_transform=[
        dict(type="CenterShift", apply_z=False),
        dict(type="ToTensor"),
        dict(type="Collect", keys=("coord", "grid_coord", "index"), feat_keys=("color", "normal")),
    ],
    aug_transform="${_test_aug}",
)
# Pointcept's ScanNet protocol: the 4 z rotations at each of the scales 1, 0.95, 1.05, plus one flip: 13
# passes
_tta_z0 = dict(type="RandomRotateTargetAngle", angle=[0], axis="z", center=[0, 0, 0], p=1)
_tta_z90 = dict(type="RandomRotateTargetAngle", angle=[1 / 2], axis="z", center=[0, 0, 0], p=1)
_tta_z180 = dict(type="RandomRotateTargetAngle", angle=[1], axis="z", center=[0, 0, 0], p=1)
_tta_z270 = dict(type="RandomRotateTargetAngle", angle=[3 / 2], axis="z", center=[0, 0, 0], p=1)
_tta_small = dict(type="RandomScale", scale=[0.95, 0.95])
_tta_large = dict(type="RandomScale", scale=[1.05, 1.05])
_pointcept_tta = [
    ["${_tta_z0}"], ["${_tta_z90}"], ["${_tta_z180}"], ["${_tta_z270}"],
    ["${_tta_z0}", "${_tta_small}"], ["${_tta_z90}", "${_tta_small}"],
    ["${_tta_z180}", "${_tta_small}"], ["${_tta_z270}", "${_tta_small}"],
    ["${_tta_z0}", "${_tta_large}"], ["${_tta_z90}", "${_tta_large}"],
    ["${_tta_z180}", "${_tta_large}"], ["${_tta_z270}", "${_tta_large}"],
    [dict(type="RandomFlip", p=1)],
]
