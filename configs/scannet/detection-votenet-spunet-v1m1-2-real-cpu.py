# VoteNet (full SparseUNet34C) on the real ScanNet sample shipped beside the project
# (../shared/data/scannet-real: 10 train, 3 val scans; boxes from the instance labels, normals estimated),
# sized for a ~15 min CPU run: voxel 0.05 m (the CPU GroupContrast run's), batch 2, 100 steps, VoteNet's own
# Adam recipe (the paper's SGD 1e-3 schedule needs far more steps). Mean sizes come from this train split.
# Run from the repo root:
#   python tools/train.py --config-file configs/scannet/detection-votenet-spunet-v1m1-2-real-cpu.py \
#       --options save_path=exp/scannet/detection-real-cpu
_base_ = ["detection-votenet-spunet-v1m1-0-base.py"]
_overlay_ = [
    "../_base_/datasets/scannet_real.py",
    "../_base_/schedules/cpu-budget.py",
    "../_base_/schedules/adam-cosine-votenet.py",
]

epoch = 20
eval_epoch = 2

# python tools/compute_mean_sizes.py --dataset scannet --data-root ../shared/data/scannet-real
mean_sizes = [
    [0.9298, 1.0831, 1.3542],  # cabinet: 41 boxes
    [1.7188, 1.8831, 0.8505],  # bed: 3 boxes
    [0.7908, 0.7541, 0.7086],  # chair: 16 boxes
    [1.2112, 1.6416, 0.8181],  # sofa: 13 boxes
    [0.6267, 0.8145, 0.4965],  # table: 19 boxes
    [0.6150, 0.5578, 1.8320],  # door: 29 boxes
    [0.7328, 0.9449, 1.1108],  # window: 13 boxes
    [0.7531, 0.8928, 1.0588],  # bookshelf: no boxes: overall mean
    [0.2736, 0.4715, 0.5707],  # picture: 7 boxes
    [0.6210, 2.0246, 0.5014],  # counter: 4 boxes
    [1.1967, 0.9286, 1.0490],  # desk: 3 boxes
    [1.5128, 1.7597, 1.7351],  # curtain: 6 boxes
    [0.7017, 0.7057, 1.5225],  # refrigerator: 8 boxes
    [0.7531, 0.8928, 1.0588],  # shower curtain: no boxes: overall mean
    [0.6656, 0.6082, 0.7554],  # toilet: 3 boxes
    [0.4711, 0.5182, 0.5605],  # sink: 6 boxes
    [0.7531, 0.8928, 1.0588],  # bathtub: no boxes: overall mean
    [0.4509, 0.5789, 0.6417],  # otherfurniture: 32 boxes
]
_backbone = dict(bn_momentum=0.1)
