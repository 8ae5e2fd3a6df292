# Semantic segmentation on the demo rooms with a slim SpUNet-v1m1 (half width, one block per stage), sized
# so the README's demo finishes in minutes on a 2-core CPU. The real configs use the full SparseUNet34C.
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/datasets/demo.py",
    "../_base_/pipelines/semseg.py",
    "../_base_/models/semseg-spunet-v1m1.py",
]
_overlay_ = ["../_base_/models/spunet-v1m1-slim.py"]

save_path = "exp/demo/semseg-spunet-v1m1-0-base"
batch_size = 4
num_worker = 1
epoch = 8
eval_epoch = 4
seed = 0

optimizer = dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=1)
