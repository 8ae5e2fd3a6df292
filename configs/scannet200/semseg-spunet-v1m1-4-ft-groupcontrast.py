# Fine-tune SpUNet-v1m1 on ScanNet200 from GroupContrast (student backbone -> backbone.*).
_base_ = ["semseg-spunet-v1m1-0-base.py"]

weight = "exp/scannet/pretrain-groupcontrast-v1m1-0-spunet-base/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
