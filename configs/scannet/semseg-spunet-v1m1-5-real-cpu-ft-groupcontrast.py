# Fine-tune on the real ScanNet sample from the CPU GroupContrast run, with exactly the schedule of
# semseg-spunet-v1m1-2-real-cpu.py (the from-scratch baseline) so the two compare at equal budget.
_base_ = ["semseg-spunet-v1m1-2-real-cpu.py"]

weight = "exp/scannet/pretrain-groupcontrast-v1m1-3-real-cpu/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
