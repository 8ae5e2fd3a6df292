# Detection transforms (VoteNet): the data set's box-aware augmentation, colour jitter, voxelisation,
# collection with box counts (gt_boxes_offset, how the model splits the batch's boxes per sample). Nothing
# translates or crops the cloud: boxes live in the points' frame. Validation and testing voxelise once
# (inverse kept) on whole scenes. Config variables read, set by the dataset base: _augment (the box-aware
# transforms), _grid_size (voxel, m), _vote_keys (the stored votes SUN RGB-D trains with, or ()). The same
# lists in code: pointcept.datasets.pipelines.detection.

_train_transform = [
    "${*_augment}",
    dict(type="ChromaticAutoContrast", p=0.2, blend_factor=None),
    dict(type="ChromaticTranslation", p=0.95, ratio=0.05),
    dict(type="ChromaticJitter", p=0.95, std=0.05),
    dict(type="GridSample", grid_size="${_grid_size}", hash_type="fnv", mode="train", return_grid_coord=True),
    dict(type="NormalizeColor"),
    dict(type="ShufflePoint"),
    dict(type="ToTensor"),
    dict(type="Collect", keys=("coord", "grid_coord", "gt_boxes", "gt_classes", "${*_vote_keys}"),
         offset_keys_dict=dict(offset="coord", gt_boxes_offset="gt_boxes"), feat_keys=("color", "normal")),
]
_val_transform = [
    dict(type="GridSample", grid_size="${_grid_size}", hash_type="fnv", mode="train", return_grid_coord=True,
         return_inverse=True),
    dict(type="NormalizeColor"),
    dict(type="ToTensor"),
    dict(type="Collect", keys=("coord", "grid_coord", "gt_boxes", "gt_classes", "inverse", "name"),
         offset_keys_dict=dict(offset="coord", gt_boxes_offset="gt_boxes"), feat_keys=("color", "normal")),
]
