# Table-1 ablation: positive pairs: points in the same 1 m grid cell. Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(positive="grid", cell_size=1.0)
