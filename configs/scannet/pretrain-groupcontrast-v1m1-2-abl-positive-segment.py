# Table 1 ablation, sub-table "positive pairs": points of the same raw geometry segment.
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(positive="segment")
