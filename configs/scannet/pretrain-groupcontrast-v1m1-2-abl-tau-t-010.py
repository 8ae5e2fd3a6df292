# Table-1 ablation: teacher temperature 0.1. Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(tau_t=0.1)
