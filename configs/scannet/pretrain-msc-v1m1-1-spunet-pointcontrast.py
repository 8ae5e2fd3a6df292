# PointContrast (Xie et al., ECCV 2020) in the MSC framework, as Pointcept's
# pretrain-msc-v1m1-1-spunet-pointcontrast: matched-point InfoNCE only (tau 0.07, 4096 pairs per batch, one
# cross-entropy over the batch's pairs), no masking, no view mixing, no reconstruction; colour-only input
# (backbone in_channels = 3), 2.5 cm voxels, no scale augmentation, Pointcept's PC view augmentations
# (rotations, flip, jitter, colour jitter, chromatic noise).
# Deviation: Pointcept trains PC on RGB-D frame pairs (ScanNetPairDataset, 10 epochs over the pairs); we
# have no frame-pair data, so the two views are scene-level views of ContrastiveViewsGenerator, with MSC's
# SphereCrop(0.6) kept so that they overlap only partly, like two frames, and MSC's 600 scene epochs.
# Optimiser and OneCycle as pretrain-msc-v1m1-0-spunet-base; train + val + test scans.
# Fine-tune with weight_mapping = [("student.backbone.", "backbone.")] (the ft config's backbone must then
# take colour-only input, in_channels = 3).
_base_ = ["pretrain-msc-v1m1-0-spunet-base.py"]
_overlay_ = ["../_base_/models/pointcontrast.py", "../_base_/pipelines/pretrain-color-only.py"]
