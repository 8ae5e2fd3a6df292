# Table-1 ablation: plain cross-entropy, no informative-aware weights. Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(informative=False)
