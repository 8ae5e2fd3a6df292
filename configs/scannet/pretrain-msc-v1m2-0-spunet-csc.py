# Contrastive Scene Contexts (Hou et al., CVPR 2021) in the MSC framework, as Pointcept's
# pretrain-msc-v1m2-0-spunet-csc: InfoNCE of each anchor within each of 4 spatial partitions (above / below
# the anchor x distance in (r1, r2] / beyond r2, on original coordinates in metres), averaged over non-empty
# partitions; 8192 pairs, tau 0.4, no masking, mixing or reconstruction. Views, optimiser, OneCycle, 600
# epochs and batch 32 as pretrain-msc-v1m1-0-spunet-base. r1 = 0.125 m and r2 = 2 m are the defaults of
# Pointcept's MSC-v1m2 model (its config's r1=2, r2=20 would put nearly every key of a room in one ring).
# Fine-tune with weight_mapping = [("student.backbone.", "backbone.")].
_base_ = ["pretrain-msc-v1m1-0-spunet-base.py"]

model = dict(
    type="MSC-v1m2",
    mask_rate=0.0,
    view1_mix_prob=0.0,
    view2_mix_prob=0.0,
    matching_max_pair=8192,
    nce_t=0.4,
    reconstruct_weight=0.0,
    partitions=4,
    r1=0.125,
    r2=2.0,
)
