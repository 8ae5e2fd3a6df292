# The SUN RGB-D sample run of -2-real-cpu fine-tuned from the CPU GroupContrast run on the real ScanNet
# sample (configs/scannet/pretrain-groupcontrast-v1m1-3-real-cpu.py: same SparseUNet34C, voxel 0.05 m,
# colour + normal input), with exactly the same schedule. Point `weight` at your run.
_base_ = ["detection-votenet-spunet-v1m1-2-real-cpu.py"]

weight = "exp/scannet/pretrain-groupcontrast-v1m1-3-real-cpu/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
