# PointContrast on the real ScanNet sample at the GC real-CPU budget (see pretrain-msc-v1m1-3-real-cpu.py):
# matched-point InfoNCE, tau 0.07, 4096 pairs, no masking, mixing or reconstruction.
# Fine-tune with weight_mapping = [("student.backbone.", "backbone.")].
_base_ = ["pretrain-msc-v1m1-3-real-cpu.py"]

model = dict(
    type="PointContrast-v1m1",
    mask_rate=0.0,
    view1_mix_prob=0.0,
    matching_max_pair=4096,
    nce_t=0.07,
    reconstruct_weight=0.0,
)
clip_grad = None  # no reconstruction head: no clipping (see the MSC real-CPU config)
