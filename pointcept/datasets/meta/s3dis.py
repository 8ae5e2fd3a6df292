"""S3DIS class table and area protocol (facts of the Stanford 3D Indoor Scenes benchmark)."""

#: names of the 13 S3DIS classes, in label order
S3DIS_CLASS_NAMES: tuple[str, ...] = (
    "ceiling", "floor", "wall", "beam", "column", "window", "door",
    "table", "chair", "sofa", "bookcase", "board", "clutter",
)
#: the standard protocol: train on every area but Area_5, validate (and test) on Area_5
S3DIS_TRAIN_AREAS: tuple[str, ...] = ("Area_1", "Area_2", "Area_3", "Area_4", "Area_6")
S3DIS_VAL_AREAS: tuple[str, ...] = ("Area_5",)
