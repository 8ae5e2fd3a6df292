"""Class table of the procedural demo rooms (``pointcept.datasets.demo``): names, ids, thing classes.

Index i of ``DEMO_CLASS_NAMES`` is segmentation label i; the generator writes these labels, ``meta.json``
records them, and detection class j is demo class ``DEMO_THING_CLASSES[j]``.
"""

#: names of the demo classes, in label order
DEMO_CLASS_NAMES: tuple[str, ...] = (
    "floor", "wall", "chair", "table", "sofa", "bed", "cabinet", "bookshelf", "lamp",
)  # fmt: skip
FLOOR, WALL, CHAIR, TABLE, SOFA, BED, CABINET, BOOKSHELF, LAMP = range(len(DEMO_CLASS_NAMES))
#: label of unlabelled clutter points (and of the instance id of stuff points)
UNLABELLED = -1
#: classes whose points carry an instance id (everything but floor and wall)
DEMO_THING_CLASSES: tuple[int, ...] = (CHAIR, TABLE, SOFA, BED, CABINET, BOOKSHELF, LAMP)
#: detection class names: the thing classes, in ``DEMO_THING_CLASSES`` order (chair .. lamp)
DEMO_DETECTION_CLASS_NAMES: tuple[str, ...] = tuple(DEMO_CLASS_NAMES[c] for c in DEMO_THING_CLASSES)
