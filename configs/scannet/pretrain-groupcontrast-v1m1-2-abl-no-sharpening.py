# Table 1 ablation, sub-table "centering and sharpening": no sharpening (tau_t = tau_s): expect collapse.
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(sharpening=False)
