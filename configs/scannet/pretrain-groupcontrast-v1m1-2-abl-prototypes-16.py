# Table 1 ablation, sub-table "number of prototypes n": n = 16 prototypes.
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(num_prototypes=16)
