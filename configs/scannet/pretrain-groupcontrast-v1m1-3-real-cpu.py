# GroupContrast pretraining on the real ScanNet sample (../shared/data/scannet-real train + val, 13 scans) on
# a CPU budget: full SparseUNet34C, voxel 0.05 m, batch 2, 30 epochs. The sample ships without segments or
# normals, so both are computed when a scene is first loaded (graph cut in point-cloud mode) and cached.
_base_ = ["pretrain-groupcontrast-v1m1-0-spunet-base.py"]
_overlay_ = ["../_base_/pretrain_real_cpu.py"]

model = dict(teacher_momentum=0.99)
data = dict(train=dict(assets=dict(_delete_=True), superpoints={}))
