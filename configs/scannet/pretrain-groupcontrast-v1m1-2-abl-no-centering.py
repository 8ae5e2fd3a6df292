# Table-1 ablation: no centering of the teacher logits (c = 0): expect collapse. Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(centering=False)
