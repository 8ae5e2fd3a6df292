# Runtime of detection configs: default_runtime with the box mAP evaluator (tracks mAP@0.25, VoteNet's
# headline number; mAP@0.5 is logged beside it) and the whole-scene detection tester.
_base_ = ["default_runtime.py"]

_evaluator_hooks = [dict(type="DetectionEvaluator", iou_thresholds=(0.25, 0.5), metric="mAP@0.25")]
test = dict(type="DetectionTester", verbose=True)
