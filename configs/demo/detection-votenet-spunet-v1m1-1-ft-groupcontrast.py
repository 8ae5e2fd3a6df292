# Demo detection fine-tuned from the demo GroupContrast run (student backbone -> backbone.*), with exactly
# the schedule of the from-scratch demo detection config.
_base_ = ["detection-votenet-spunet-v1m1-0-base.py"]

save_path = "exp/demo/detection-votenet-spunet-v1m1-1-ft-groupcontrast"
weight = "exp/demo/pretrain-groupcontrast-v1m1-0-spunet-base/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
