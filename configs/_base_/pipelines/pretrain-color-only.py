# Pointcept's PointContrast / CSC input, applied as an _overlay_ over a pretraining config: colour-only
# features (a 3-channel backbone) and 2.5 cm voxels. (The demo and real-sample CPU profiles keep colour +
# normal input for every method, so that one fine-tuning config loads every method's whole backbone.)
_grid_size = 0.025
_view_keys = ("coord", "origin_coord", "color")
_view1_feat_keys = ("view1_color",)
_view2_feat_keys = ("view2_color",)
_backbone = dict(in_channels=3)
