# Table 1 ablation, sub-table "teacher temperature tau_t": teacher temperature 0.04.
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(tau_t=0.04)
