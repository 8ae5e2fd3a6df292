# PointContrast on the real ScanNet sample (train + val scans) at the GC real-CPU budget (see
# pretrain-msc-v1m1-3-real-cpu.py): matched-point InfoNCE over the batch's pairs, tau 0.07, 4096 pairs, no
# masking, mixing or reconstruction; no scale augmentation, as Pointcept's PC config
# (see pretrain-msc-v1m1-1-spunet-pointcontrast.py, also for the scene-view deviation from its frame pairs).
# Voxel 0.05 m, not Pointcept's 0.025 m: the CPU budget's voxel, the same for every method.
# Fine-tune with weight_mapping = [("student.backbone.", "backbone.")].
# Benchmark-profile deviation: colour + normal input (6 channels) as every other method here, not Pointcept's
# colour-only PC/CSC input, so that one fine-tuning config (6 channels) loads every method's whole backbone;
# the full-ScanNet config keeps Pointcept's colour-only input.
_base_ = ["pretrain-msc-v1m1-3-real-cpu.py"]
_overlay_ = ["../_base_/models/pointcontrast.py"]

clip_grad = None  # no reconstruction head: no clipping (see the MSC real-CPU config)
