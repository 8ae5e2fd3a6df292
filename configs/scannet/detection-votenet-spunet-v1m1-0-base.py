# VoteNet on SparseUNet34C (SpUNet-v1m1, 96-d per-point features) for ScanNet v2 (18 classes, axis-aligned
# boxes from the instance labels), the paper's Table 2c row with its Table 5f schedule (SGD lr 1e-3,
# momentum 0.9, wd 0, batch 64, 180 epochs, step decay), voxel 0.02 m, on axis-aligned scans in the
# Pointcept layout. As in VoteNet's ScanNet setting boxes stay axis-aligned: one heading bin, headings
# predicted as 0, rotations of +-5 deg replace a box by the axis-aligned box around it.
# Fine-tune from GroupContrast with the -1-pretrained config.
_base_ = [
    "../_base_/detection_runtime.py",
    "../_base_/datasets/scannet_detection.py",
    "../_base_/pipelines/detection.py",
    "../_base_/models/votenet.py",
]
_overlay_ = ["../_base_/schedules/sgd-step-detection.py"]

num_worker = 16
enable_amp = True

model = dict(num_heading_bin=1, axis_aligned=True, vote_radius=0.3, vote_nsample=16)
