# Table-1 ablation: N = 4096 sampled points. Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(num_samples=4096)
