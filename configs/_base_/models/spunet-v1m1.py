# The backbone of every model block: SparseUNet34C (SpUNet-v1m1) on colour + normal input, at its default
# widths (32 .. 96) and depths; model blocks read it as "${_backbone}". A config changes it by overriding
# _backbone, e.g. _backbone = dict(bn_momentum=0.1); the demo configs apply spunet-v1m1-slim.py as an
# _overlay_.
_backbone = dict(type="SpUNet-v1m1", in_channels=6, num_classes=0)
