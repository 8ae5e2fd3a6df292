# Data-efficient ScanNet, limited annotation (paper Table 3): 100 labelled points per training scene, every
# other point is ignored by the loss.
# Make the files once: python tools/make_data_efficient_splits.py data/scannet  (writes data/scannet/tasks/)
_base_ = ["./semseg-spunet-v1m1-0-base.py"]

data = dict(train=dict(la_file="data/scannet/tasks/la100.npz"))
