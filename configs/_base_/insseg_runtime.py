# Runtime of instance-segmentation configs: default_runtime with the ScanNet instance-AP evaluator (tracks
# AP50, as Pointcept does) and the whole-scene instance tester (writes a benchmark submission).
_base_ = ["default_runtime.py"]

_evaluator_hooks = [dict(type="InsSegEvaluator")]
test = dict(type="InsSegTester", verbose=True)
