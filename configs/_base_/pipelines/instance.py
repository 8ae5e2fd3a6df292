# Instance-segmentation transforms (PointGroup): the semantic-segmentation ones with instance targets made
# after every augmentation and sampling (InstanceParser, just before ToTensor). Validation and testing
# voxelise once and keep the original labels and the inverse map, so proposals found on voxels are scored on
# every original point; testing yields one fragment per scene (grouping needs the whole scene). Config
# variables read: those of semseg.py, and _segment_ignore_index (the classes never grouped: ignored points and
# stuff), which the model reads too. The same lists in code: pointcept.datasets.pipelines.instance.
_base_ = ["semseg.py"]

_origin_keys = {"segment": "origin_segment", "instance": "origin_instance"}
_instance_parser = dict(type="InstanceParser", segment_ignore_index="${_segment_ignore_index}",
                        instance_ignore_index=-1)

_train_transform = [
    "${*_augment_and_sample}",
    "${_instance_parser}",
    dict(type="ToTensor"),
    dict(type="Collect", keys=("coord", "grid_coord", "segment", "instance", "instance_centroid"),
         feat_keys=("color", "normal")),
]
_val_transform = [
    "${*_voxelize_once}",
    "${_instance_parser}",
    dict(type="ToTensor"),
    dict(type="Collect",
         keys=("coord", "grid_coord", "segment", "instance", "instance_centroid", "origin_segment",
               "origin_instance", "inverse", "name"),
         feat_keys=("color", "normal"),
         offset_keys_dict=dict(offset="coord", origin_offset="origin_segment")),
]
_test_transform = "${_voxelize_once}"
_test_cfg = dict(
    _delete_=True,
    voxelize=None,
    crop=None,
    post_transform=[
        dict(type="ToTensor"),
        dict(type="Collect", keys=("coord", "grid_coord", "index"), feat_keys=("color", "normal")),
    ],
    aug_transform=[[]],
)
