# Contrastive Scene Contexts (Hou et al., CVPR 2021) in the MSC framework, as Pointcept's
# pretrain-msc-v1m2-0-spunet-csc: per scene, InfoNCE of each anchor within each region around it on
# original coordinates (metres): above / below the anchor x distance in (r1, r2] / beyond r2, plus the
# near region (within r1, or at the anchor's exact height) that no partition covers; each region's
# cross-entropy is averaged over all anchors of the scene, summed over regions and divided by
# samples x 4 (Pointcept's loss); 8192 pairs per batch, tau 0.4, no masking, mixing or reconstruction;
# colour-only input, 2.5 cm voxels, no scale, Pointcept's CSC view augmentations.
# r1 = 2 m, r2 = 20 m are Pointcept's config values. In a room (ScanNet scans span ~3-10 m) this means:
# keys within 2 m of the anchor (its object and the furniture around it) form the near region, one
# negative set with no up/down split; partitions 0 / 1 are the rest of the room above / below the anchor;
# nothing is 20 m away, so partitions 2 / 3 are empty and add 0. (The CSC paper's own r1 = 0.125 m, r2 = 2 m
# are the defaults of Pointcept's model class, not of its config.)
# Deviation: Pointcept trains CSC on RGB-D frame pairs (ScanNetPairDataset, 10 epochs over the pairs); we
# have no frame-pair data, so the two views are scene-level views of ContrastiveViewsGenerator, with MSC's
# SphereCrop(0.6) kept so that they overlap only partly, like two frames, and MSC's 600 scene epochs.
# Optimiser and OneCycle as pretrain-msc-v1m1-0-spunet-base; train + val + test scans.
# Fine-tune with weight_mapping = [("student.backbone.", "backbone.")] (the ft config's backbone must then
# take colour-only input, in_channels = 3).
_base_ = ["pretrain-msc-v1m1-0-spunet-base.py"]
_overlay_ = ["../_base_/models/csc.py", "../_base_/pipelines/pretrain-color-only.py"]
