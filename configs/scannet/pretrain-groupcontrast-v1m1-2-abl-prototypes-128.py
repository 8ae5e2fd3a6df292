# Table-1 ablation: n = 128 prototypes. Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(num_prototypes=128)
