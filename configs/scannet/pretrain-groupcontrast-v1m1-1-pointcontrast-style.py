# PointContrast-style baseline inside the GroupContrast model: no segment grouping loss, matched points as
# the only positives, no confidence weights: point discrimination with GroupContrast's views and schedule.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]

model = dict(positive="matched", group_loss_weight=0.0, confidence=False)
