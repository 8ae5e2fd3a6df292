# Contrastive Scene Contexts (MSC-v1m2, Hou et al., CVPR 2021) in the MSC framework, applied as an _overlay_
# over an MSC config, as Pointcept's pretrain-msc-v1m2-0-spunet-csc: per scene, InfoNCE of each anchor within
# each region around it (4 partitions beyond r1 = 2 m, split at r2 = 20 m, plus the near region; Pointcept's
# reduction), tau 0.4, no masking, mixing or reconstruction, on the PC views (no scale augmentation). The
# pairs per batch stay the MSC config's. What r1 / r2 mean in a room:
# configs/scannet/pretrain-msc-v1m2-0-spunet-csc.py.
model = dict(
    type="MSC-v1m2",
    mask_rate=0.0, view1_mix_prob=0.0, view2_mix_prob=0.0,
    nce_t=0.4, negatives="scene",
    reconstruct_weight=0.0, reconstruct_color=False,
    partitions=4, r1=2.0, r2=20.0, csc_reduction="pointcept",
)
data = dict(train=dict(transform="${_pc_pretrain}"))
