# PointGroup instance segmentation on the demo rooms with the slim SpUNet-v1m1 of the demo semseg config (half
# width, one block per stage), sized to take about a minute on a 2-core CPU. Floor and wall are stuff;
# AP is scored on the 7 furniture classes. Voxel 0.05 m, so the grouping radius is 2 voxels (10 cm).
_base_ = [
    "../_base_/insseg_runtime.py",
    "../_base_/datasets/demo.py",
    "../_base_/pipelines/instance.py",
    "../_base_/models/pointgroup.py",
]
_overlay_ = ["../_base_/models/spunet-v1m1-slim.py"]

save_path = "exp/demo/insseg-pointgroup-spunet-v1m1-0-base"
batch_size = 4
num_worker = 1
epoch = 6  # 36 steps: the demo's two PointGroup stages together cost about one semseg stage
eval_epoch = 1
seed = 0

model = dict(cluster_radius=0.1, cluster_min_points=15, bn_momentum=0.1)
optimizer = dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_ratio=0.1)
