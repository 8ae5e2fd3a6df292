# PointContrast (Xie et al., ECCV 2020) in the MSC framework, applied as an _overlay_ over an MSC config, as
# Pointcept's pretrain-msc-v1m1-1-spunet-pointcontrast: matched-point InfoNCE only (tau 0.07, 4096 pairs per
# batch, one cross-entropy over the batch's pairs), on the PC views (no scale augmentation).
model = dict(
    type="PointContrast-v1m1",
    mask_rate=0.0, view1_mix_prob=0.0, view2_mix_prob=0.0,  # no masking, no view mixing
    matching_max_pair=4096,
    nce_t=0.07,
    reconstruct_weight=0.0, reconstruct_color=False,
)
data = dict(train=dict(transform="${_pc_pretrain}"))
