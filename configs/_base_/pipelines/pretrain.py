# Two-view pretraining transforms: GroupContrast's (_gc_pretrain), Masked Scene Contrast's (_msc_pretrain) and
# PointContrast's / CSC's (_pc_pretrain). Table 4's augmentations in the order of Pointcept's MSC config: the
# scene is centred, scaled once (so both views share the scale; PC/CSC: no scale) and copied as the matching
# frame; each view is then rotated, flipped, jittered, colour-jittered, voxelised, cropped to 60 % of its
# voxels around a random point (the views overlap partly) and re-centred; step by step in the docstring of
# pointcept.datasets.pipelines.pretrain, which builds the same lists in code. Config variables read, set by
# the pretraining config: _grid_size (voxel, m), _match_radius (m, pairs of the views' points); _view_keys and
# _view{1,2}_feat_keys (here colour + normal input; PC/CSC's colour-only input sets them to colour).

_view_keys = ("coord", "origin_coord", "color", "normal")
_view1_feat_keys = ("view1_color", "view1_normal")
_view2_feat_keys = ("view2_color", "view2_normal")

_scene_steps = [
    dict(type="CenterShift", apply_z=True),
    dict(type="RandomScale", scale=[0.9, 1.1]),
    dict(type="Copy", keys_dict={"coord": "origin_coord"}),
]
_view_steps = [
    dict(type="RandomRotate", angle=[-1, 1], axis="z", center=[0, 0, 0], p=1),
    dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="x", p=1),
    dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="y", p=1),
    dict(type="RandomFlip", p=0.5),
    dict(type="RandomJitter", sigma=0.005, clip=0.02),
    dict(type="RandomColorJitter", brightness=0.4, contrast=0.4, saturation=0.2, hue=0.02, p=0.8),
    dict(type="GaussianJitter", std=0.05, p=0.95),
    dict(type="GridSample", grid_size="${_grid_size}", hash_type="fnv", mode="train", return_grid_coord=True),
    dict(type="SphereCrop", sample_rate=0.6, mode="random"),
    dict(type="CenterShift", apply_z=False),
    dict(type="NormalizeColor"),
]
# the per-view arrays of a matched pair of views, and the offsets that split them per sample
_view_pair_keys = (
    "view1_coord", "view1_grid_coord", "view1_origin_coord", "view1_origin_index", "view1_overlap",
    "view2_coord", "view2_grid_coord", "view2_origin_coord", "view2_origin_index", "view2_overlap",
    "match_index",
)
_view_offsets = dict(view1_offset="view1_coord", view2_offset="view2_coord", match_offset="match_index")

# GroupContrast: segments (superpoints) looked up through origin_index, kept per view
_gc_pretrain = [
    "${*_scene_steps}",
    dict(type="ContrastiveViewsGenerator", view_keys="${_view_keys}", view_trans_cfg="${_view_steps}",
         match_radius="${_match_radius}", segment_key="superpoint", min_segment_points=1, cell_size=None),
    dict(type="ToTensor"),
    dict(type="Collect",
         keys=("view1_coord", "view1_grid_coord", "view1_origin_coord", "view1_origin_index", "view1_overlap",
               "view1_segment", "view2_coord", "view2_grid_coord", "view2_origin_coord", "view2_origin_index",
               "view2_overlap", "view2_segment", "match_index", "num_segments"),
         offset_keys_dict="${_view_offsets}", view1_feat_keys="${_view1_feat_keys}",
         view2_feat_keys="${_view2_feat_keys}"),
]
# no segments; MSC also collects each view's colour and normal, the targets of its masked-point reconstruction
_no_segments = dict(type="ContrastiveViewsGenerator", view_keys="${_view_keys}",
                    view_trans_cfg="${_view_steps}", match_radius="${_match_radius}", segment_key=None,
                    min_segment_points=1, cell_size=None)
_msc_pretrain = [
    "${*_scene_steps}",
    "${_no_segments}",
    dict(type="ToTensor"),
    dict(type="Collect",
         keys=("${*_view_pair_keys}", "view1_color", "view1_normal", "view2_color", "view2_normal"),
         offset_keys_dict="${_view_offsets}", view1_feat_keys="${_view1_feat_keys}",
         view2_feat_keys="${_view2_feat_keys}"),
]
# PointContrast / CSC (Pointcept's PC and CSC configs): no scale augmentation, no reconstruction targets
_pc_pretrain = [
    dict(type="CenterShift", apply_z=True),
    dict(type="Copy", keys_dict={"coord": "origin_coord"}),
    "${_no_segments}",
    dict(type="ToTensor"),
    dict(type="Collect", keys="${_view_pair_keys}", offset_keys_dict="${_view_offsets}",
         view1_feat_keys="${_view1_feat_keys}", view2_feat_keys="${_view2_feat_keys}"),
]
