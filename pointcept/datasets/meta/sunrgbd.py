"""SUN RGB-D detection class table (VoteNet's 10-class benchmark)."""

#: VoteNet's 10 SUN RGB-D classes, in label order
SUNRGBD_CLASS_NAMES: tuple[str, ...] = (
    "bed", "table", "sofa", "chair", "toilet", "desk", "dresser", "night_stand", "bookshelf", "bathtub",
)
