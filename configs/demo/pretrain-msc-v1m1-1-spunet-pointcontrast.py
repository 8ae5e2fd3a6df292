# PointContrast on the demo rooms at GroupContrast's demo budget (see pretrain-msc-v1m1-0-spunet-base.py):
# matched-point InfoNCE over the batch's pairs, tau 0.07, 4096 pairs, no masking, mixing or reconstruction;
# no scale augmentation, as Pointcept's PC config (scene-level views with a crop
# instead of its RGB-D frame pairs: see configs/scannet/pretrain-msc-v1m1-1-spunet-pointcontrast.py).
# Voxel 0.05 m (the demo budget's, every method), not Pointcept's 0.025 m.
# Fine-tune with weight_mapping = [("student.backbone.", "backbone.")].
# Benchmark-profile deviation: colour + normal input (6 channels) as every other method here, not Pointcept's
# colour-only PC/CSC input, so that one fine-tuning config (6 channels) loads every method's whole backbone;
# the full-ScanNet config keeps Pointcept's colour-only input.
_base_ = ["pretrain-msc-v1m1-0-spunet-base.py"]
_overlay_ = ["../_base_/models/pointcontrast.py"]

save_path = "exp/demo/pretrain-msc-v1m1-1-spunet-pointcontrast"
