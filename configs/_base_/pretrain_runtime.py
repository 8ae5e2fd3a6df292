# Runtime of self-supervised pretraining: no labels, so no evaluator or whole-scene test.
_base_ = ["default_runtime.py"]

evaluate = False
hooks = [
    dict(type="CheckpointLoader"),
    dict(type="ModelHook"),
    dict(type="IterationTimer", warmup_iter=2),
    dict(type="InformationWriter"),
    dict(type="CheckpointSaver", save_freq=None),
]
