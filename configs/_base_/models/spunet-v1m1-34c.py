# SpUNet-v1m1's default widths and depths (SparseUNet34C) written out, applied as an _overlay_ by the configs
# that spell them (the ScanNet semseg and the ScanNet / S3DIS PointGroup configs, as Pointcept's do); the same
# network as spunet-v1m1.py's _backbone without them.
_backbone = dict(channels=(32, 64, 128, 256, 256, 128, 96, 96), layers=(2, 3, 4, 6, 2, 2, 2, 2))
