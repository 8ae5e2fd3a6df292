# Table-1 ablation: no sharpening (tau_t = tau_s): expect collapse. Everything else as the base config.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(sharpening=False)
