# Table-1 ablation: contrast without confidence weights (C = 1). Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(confidence=False)
