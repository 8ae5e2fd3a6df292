# GroupContrast pretraining of SparseUNet34C on ScanNet v2 (paper Table 5a): SGD lr 0.1, momentum 0.8,
# wd 1e-4, batch 32, cosine with 12 warmup epochs, 1200 epochs; n = 32 prototypes, N = 2048 sampled points,
# tau_s 0.1, tau_t 0.07, tau 0.4, lambda_g = lambda_c = 1.
# Segment source (a config choice): "superpoint" = graph-cut segments written by
#   python tools/preprocess_segments.py --data-root data/scannet
# "superpoint_official" = ScanNet's mesh over-segmentation written by tools/preprocess_scannet.py, or the
# stem of any other per-point mask file in the scene folders (e.g. SAM3D masks, the paper's Appendix B).
_base_ = [
    "../_base_/pretrain_runtime.py",
    "../_base_/models/groupcontrast.py",
    "../_base_/pipelines/pretrain.py",
    "../_base_/schedules/sgd-pretrain.py",
]

_segment_file = "superpoint"

batch_size = 32
num_worker = 32
epoch = 1200
eval_epoch = 100
enable_amp = True
sync_bn = True

# the Table 1 ablation switches, all on (the ablation configs turn them off one by one)
model = dict(
    positive="group", informative=True, predictor=True, semantic_aware=True, confidence=True,
    centering=True, sharpening=True, center_momentum=0.9, teacher_momentum_end=1.0,
)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=12)

_grid_size = 0.02
_match_radius = 0.03
data = dict(
    train=dict(
        type="ScanNetDataset",
        split=["train", "val", "test"],  # unlabelled, as Pointcept's MSC pretraining (and the paper's)
        data_root="data/scannet",
        assets=dict(superpoint="${_segment_file}"),
        require=("superpoint",),
        transform="${_gc_pretrain}",
    ),
)
