# Table 1 ablation, sub-table "sampled points N": N = 8192 sampled points.
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(num_samples=8192)
