# SpUNet-v1m1 semantic segmentation on S3DIS (Area_5 val) with the paper's fine-tuning recipe (Table 5c).
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/datasets/s3dis.py",
    "../_base_/pipelines/semseg.py",
    "../_base_/models/semseg-spunet-v1m1.py",
]

num_worker = 12
mix_prob = 0.8
enable_amp = True
batch_size = 12
epoch = 3000
eval_epoch = 100

optimizer = dict(type="SGD", lr=0.1, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=0)
