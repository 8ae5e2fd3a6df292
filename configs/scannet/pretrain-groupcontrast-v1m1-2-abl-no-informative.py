# Table 1 ablation, sub-table "informative-aware distillation": plain cross-entropy (Eq. 2), no
# informative-aware weights (Eq. 4).
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(informative=False)
