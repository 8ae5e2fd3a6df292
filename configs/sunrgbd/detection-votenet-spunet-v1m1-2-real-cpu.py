# VoteNet (full SparseUNet34C) on the SUN RGB-D sample shipped beside the project
# (../shared/data/sunrgbd-votenet: 10 train, 5 val frames), sized for a ~15 min CPU run: voxel 0.05 m (the
# CPU GroupContrast run's), batch 2, 250 steps, VoteNet's own Adam recipe (the paper's SGD 1e-3 schedule
# needs far more steps). Mean sizes come from this train split (13 boxes: chairs, tables, a desk; the other
# classes get the overall mean). Run from the repo root:
#   python tools/train.py --config-file configs/sunrgbd/detection-votenet-spunet-v1m1-2-real-cpu.py \
#       --options save_path=exp/sunrgbd/detection-real-cpu
_base_ = ["detection-votenet-spunet-v1m1-0-base.py"]
_overlay_ = ["../_base_/schedules/cpu-budget.py", "../_base_/schedules/adam-cosine-votenet.py"]

epoch = 50
eval_epoch = 5

# python tools/compute_mean_sizes.py --dataset sunrgbd --data-root ../shared/data/sunrgbd-votenet
mean_sizes = [
    [0.7164, 1.1881, 1.1048],  # bed: no boxes: overall mean
    [1.8748, 4.5302, 2.0025],  # table: 2 boxes
    [0.7164, 1.1881, 1.1048],  # sofa: no boxes: overall mean
    [0.4780, 0.4812, 0.9693],  # chair: 10 boxes
    [0.7164, 1.1881, 1.1048],  # toilet: no boxes: overall mean
    [0.7840, 1.5732, 0.6636],  # desk: 1 box
    [0.7164, 1.1881, 1.1048],  # dresser: no boxes: overall mean
    [0.7164, 1.1881, 1.1048],  # night_stand: no boxes: overall mean
    [0.7164, 1.1881, 1.1048],  # bookshelf: no boxes: overall mean
    [0.7164, 1.1881, 1.1048],  # bathtub: no boxes: overall mean
]
_backbone = dict(bn_momentum=0.1)
_data_root = "../shared/data/sunrgbd-votenet"
_grid_size = 0.05
# the normals are estimated once per frame and cached
data = dict(train=dict(cache=True), val=dict(cache=True), test=dict(cache=True))
