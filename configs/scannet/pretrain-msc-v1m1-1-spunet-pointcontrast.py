# PointContrast (Xie et al., ECCV 2020) in the MSC framework, as Pointcept's
# pretrain-msc-v1m1-1-spunet-pointcontrast: matched-point InfoNCE only (tau 0.07, 4096 pairs), no masking,
# no view mixing, no reconstruction; everything else (views, optimiser, OneCycle, 600 epochs, batch 32) as
# pretrain-msc-v1m1-0-spunet-base. Fine-tune with weight_mapping = [("student.backbone.", "backbone.")].
_base_ = ["pretrain-msc-v1m1-0-spunet-base.py"]

model = dict(
    type="PointContrast-v1m1",
    mask_rate=0.0,
    view1_mix_prob=0.0,
    view2_mix_prob=0.0,
    matching_max_pair=4096,
    nce_t=0.07,
    reconstruct_weight=0.0,
)
