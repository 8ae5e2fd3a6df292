# Table-1 ablation: no asymmetric predictor h'. Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(predictor=False)
