# Fine-tune SpUNet-v1m1 on ScanNet from GroupContrast: the student backbone of the pretraining checkpoint
# is loaded into backbone.*; the teacher, projectors and prototypes are ignored; the 20-class head starts
# fresh. Point `weight` at your pretraining run (--options weight=...).
_base_ = ["semseg-spunet-v1m1-0-base.py"]

weight = "exp/scannet/pretrain-groupcontrast-v1m1-0-spunet-base/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
