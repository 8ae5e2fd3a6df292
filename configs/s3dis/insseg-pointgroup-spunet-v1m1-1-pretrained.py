# PointGroup on S3DIS fine-tuned from GroupContrast (student backbone -> backbone.*; heads start fresh).
_base_ = ["insseg-pointgroup-v1m1-0-spunet-base.py"]

weight = "exp/scannet/pretrain-groupcontrast-v1m1-0-spunet-base/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
