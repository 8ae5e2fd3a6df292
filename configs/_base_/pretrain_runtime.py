# Runtime of self-supervised pretraining: no labels, so no evaluator or whole-scene test.
_base_ = ["default_runtime.py"]

evaluate = False
_evaluator_hooks = []
_test_hooks = []
