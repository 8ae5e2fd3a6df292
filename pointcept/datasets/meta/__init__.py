"""Class tables of the supported benchmarks, one module per data set: names, ids, thing/detection classes.

``scannet`` (ScanNet-20, ScanNet200 and its head/common/tail splits, ScanNet detection), ``s3dis``,
``sunrgbd`` (detection) and ``demo`` (the procedural rooms). These modules import nothing from the
project, so any layer (models, evaluation, visualization, configs) may read them.
"""
