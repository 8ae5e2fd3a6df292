# PointGroup on ScanNet fine-tuned from GroupContrast: the pretraining checkpoint's student backbone is loaded
# into backbone.*; the teacher, projectors and prototypes are dropped; the semantic and offset heads start
# fresh. Point `weight` at your pretraining run (--options weight=...).
_base_ = ["insseg-pointgroup-v1m1-0-spunet-base.py"]

weight = "exp/scannet/pretrain-groupcontrast-v1m1-0-spunet-base/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
