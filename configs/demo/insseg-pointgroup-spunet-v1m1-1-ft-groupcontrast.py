# PointGroup on the demo rooms fine-tuned from the demo GroupContrast run (student backbone -> backbone.*,
# heads start fresh), with exactly the schedule of the from-scratch demo config.
_base_ = ["insseg-pointgroup-spunet-v1m1-0-base.py"]

save_path = "exp/demo/insseg-pointgroup-spunet-v1m1-1-ft-groupcontrast"
weight = "exp/demo/pretrain-groupcontrast-v1m1-0-spunet-base/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
