# Table-1 ablation: contrast without group positives (matched pairs). Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(semantic_aware=False)
