# VoteNet on SparseUNet34C (SpUNet-v1m1, 96-d per-point features) for SUN RGB-D v1 (10 classes, oriented
# boxes), the paper's Table 2c row with its Table 5f schedule (SGD lr 1e-3, momentum 0.9, wd 0, batch 64,
# 180 epochs, step decay), voxel 0.02 m. Data: VoteNet's preprocessed frames in
# data/sunrgbd/{train,val}/<id>_{pc.npz,bbox.npy,votes.npz}; normals are estimated (towards the camera)
# so the input matches GroupContrast's colour + normal backbones. Fine-tune from GroupContrast with the
# -1-pretrained config.
_base_ = [
    "../_base_/detection_runtime.py",
    "../_base_/datasets/sunrgbd.py",
    "../_base_/pipelines/detection.py",
    "../_base_/models/votenet.py",
]
_overlay_ = ["../_base_/schedules/sgd-step-detection.py"]

num_worker = 16
enable_amp = True

model = dict(vote_radius=0.3, vote_nsample=16)
