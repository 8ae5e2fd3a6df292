# Table 1 ablation, sub-table "positive pairs": points in the same 1 m grid cell.
# Everything else as the shared ablation base (600 epochs, pretrain-groupcontrast-v1m1-2-abl-base.py).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

model = dict(positive="grid", cell_size=1.0)
