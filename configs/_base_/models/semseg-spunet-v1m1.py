# Semantic segmentation: SpUNet-v1m1 with its per-point classifier (one output per class of the data block),
# cross-entropy over labelled points.
_base_ = ["spunet-v1m1.py"]

_backbone = dict(num_classes="${data.num_classes}")
model = dict(
    type="DefaultSegmentor",
    backbone="${_backbone}",
    criteria=[dict(type="CrossEntropyLoss", loss_weight=1.0, ignore_index=-1)],
)
