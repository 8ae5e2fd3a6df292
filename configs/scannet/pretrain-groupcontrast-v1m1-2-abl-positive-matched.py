# Table-1 ablation: positive pairs: matched points only (PointContrast-style). Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(positive="matched")
