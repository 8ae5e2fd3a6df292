# VoteNet on SUN RGB-D fine-tuned from GroupContrast (the paper's Table 2c setting): the pretraining
# checkpoint's student backbone is loaded into backbone.*; the teacher, projectors and prototypes are
# dropped; voting and proposal heads start fresh. Point `weight` at your run (--options weight=...).
_base_ = ["detection-votenet-spunet-v1m1-0-base.py"]

weight = "exp/scannet/pretrain-groupcontrast-v1m1-0-spunet-base/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
