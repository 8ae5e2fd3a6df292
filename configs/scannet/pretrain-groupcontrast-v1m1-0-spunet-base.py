# GroupContrast pretraining of SparseUNet34C on ScanNet v2 (paper Table 5a): SGD lr 0.1, momentum 0.8,
# wd 1e-4, batch 32, cosine with 12 warmup epochs, 1200 epochs; n = 32 prototypes, N = 2048 sampled points,
# tau_s 0.1, tau_t 0.07, tau 0.4, lambda_g = lambda_c = 1.
# Segment source (a config choice): "superpoint" = graph-cut segments written by
#   python tools/preprocess_segments.py --data-root data/scannet
# "superpoint_official" = ScanNet's mesh over-segmentation written by tools/preprocess_scannet.py, or the
# stem of any other per-point mask file in the scene folders (e.g. SAM3D masks, the paper's Appendix B).
from pointcept.datasets.pipelines_pretrain import groupcontrast_pretrain_pipeline as _pipeline

_base_ = ["../_base_/pretrain_runtime.py"]

_segment_file = "superpoint"

batch_size = 32
num_worker = 32
epoch = 1200
eval_epoch = 100
enable_amp = True
sync_bn = True

model = dict(
    type="GC-v1m1",
    backbone=dict(type="SpUNet-v1m1", in_channels=6, num_classes=0),
    backbone_out_channels=96,
    projector_hidden=256,
    group_dim=128,
    contrast_dim=128,
    num_prototypes=32,
    num_samples=2048,
    tau_s=0.1,
    tau_t=0.07,
    tau=0.4,
    group_loss_weight=1.0,
    contrast_loss_weight=1.0,
    positive="group",
    informative=True,
    predictor=True,
    semantic_aware=True,
    confidence=True,
    centering=True,
    sharpening=True,
    center_momentum=0.9,
    teacher_momentum=0.996,
    teacher_momentum_end=1.0,
)
optimizer = dict(type="SGD", lr=0.1, momentum=0.8, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=12)

data = dict(
    train=dict(
        type="ScanNetDataset",
        split=["train", "val", "test"],  # unlabelled, as Pointcept's MSC pretraining (and the paper's baselines)
        data_root="data/scannet",
        assets=dict(superpoint=_segment_file),
        require=("superpoint",),
        transform=_pipeline(grid_size=0.02, crop_ratio=0.6, match_radius=0.03, feat_keys=("color", "normal")),
    ),
)
