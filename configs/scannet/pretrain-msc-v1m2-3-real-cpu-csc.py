# CSC on the real ScanNet sample at the GC real-CPU budget (see pretrain-msc-v1m1-3-real-cpu.py): InfoNCE
# within 4 spatial partitions (r1 = 0.125 m, r2 = 2 m), tau 0.4, 8192 pairs, no masking, mixing or
# reconstruction. Fine-tune with weight_mapping = [("student.backbone.", "backbone.")].
_base_ = ["pretrain-msc-v1m1-3-real-cpu.py"]

model = dict(
    type="MSC-v1m2",
    mask_rate=0.0,
    view1_mix_prob=0.0,
    matching_max_pair=8192,
    nce_t=0.4,
    reconstruct_weight=0.0,
    partitions=4,
    r1=0.125,
    r2=2.0,
)
clip_grad = None  # no reconstruction head: no clipping (see the MSC real-CPU config)
