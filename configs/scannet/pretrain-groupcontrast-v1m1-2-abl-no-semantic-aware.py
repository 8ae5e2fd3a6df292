# Table 1 ablation, sub-table "semantic-aware contrast": contrast without group positives (matched pairs).
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(semantic_aware=False)
