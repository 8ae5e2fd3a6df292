# PointGroup (PG-v1m1) instance segmentation on SpUNet-v1m1: semantic and offset heads, points grouped within
# cluster_radius (PointGroup's 3 cm, 1.5 voxels of 2 cm) into proposals of at least cluster_min_points; the
# classes in _segment_ignore_index (set by the dataset base) are never grouped.
_base_ = ["spunet-v1m1.py"]

model = dict(
    type="PG-v1m1",
    backbone="${_backbone}",
    semantic_num_classes="${data.num_classes}",
    segment_ignore_index="${_segment_ignore_index}",
    cluster_radius=0.03,
    cluster_min_points=100,
)
