# CSC on the demo rooms at GroupContrast's demo budget (see pretrain-msc-v1m1-0-spunet-base.py): Pointcept's
# CSC loss (4 partitions + the near region, r1 = 2 m, r2 = 20 m, per scene; see
# configs/scannet/pretrain-msc-v1m2-0-spunet-csc.py for what the radii mean in a room), tau 0.4, 4096
# pairs, no masking, mixing or reconstruction; no scale augmentation, voxel 0.05 m (the
# demo budget's).
# Fine-tune with weight_mapping = [("student.backbone.", "backbone.")].
# Benchmark-profile deviation: colour + normal input (6 channels) as every other method here, not Pointcept's
# colour-only PC/CSC input, so that one fine-tuning config (6 channels) loads every method's whole backbone;
# the full-ScanNet config keeps Pointcept's colour-only input.
_base_ = ["pretrain-msc-v1m1-0-spunet-base.py"]
_overlay_ = ["../_base_/models/csc.py"]

save_path = "exp/demo/pretrain-msc-v1m2-0-spunet-csc"
