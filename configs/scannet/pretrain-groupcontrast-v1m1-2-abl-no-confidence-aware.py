# Table 1 ablation, sub-table "semantic-aware contrast": contrast without confidence weights (C = 1).
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(confidence=False)
