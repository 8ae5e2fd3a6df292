# Runtime of instance-segmentation configs: default_runtime with the ScanNet instance-AP evaluator (tracks
# AP50, as Pointcept does) and the whole-scene instance tester (writes a benchmark submission).
_base_ = ["default_runtime.py"]

hooks = [
    dict(type="CheckpointLoader"),
    dict(type="ModelHook"),
    dict(type="IterationTimer", warmup_iter=2),
    dict(type="InformationWriter"),
    dict(type="InsSegEvaluator"),
    dict(type="CheckpointSaver", save_freq=None),
    dict(type="PreciseEvaluator", test_last=False),
]
test = dict(type="InsSegTester", verbose=True)
