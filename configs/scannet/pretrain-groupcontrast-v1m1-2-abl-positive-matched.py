# Table 1 ablation, sub-table "positive pairs": matched points only (PointContrast-style).
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(positive="matched")
