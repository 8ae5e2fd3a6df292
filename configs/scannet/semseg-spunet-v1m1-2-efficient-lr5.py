# Data-efficient ScanNet, limited reconstruction (paper Table 3): train on the 5 % scene list only.
# Make the lists once: python tools/make_data_efficient_splits.py data/scannet  (writes data/scannet/tasks/)
_base_ = ["./semseg-spunet-v1m1-0-base.py"]

data = dict(train=dict(lr_file="data/scannet/tasks/lr5.txt"))
