# GroupContrast (GC-v1m1, paper Table 5a): a student and an EMA teacher SpUNet-v1m1 with group and contrast
# projectors; n = 32 prototypes, N = 2048 sampled points, tau_s 0.1, tau_t 0.07, tau 0.4, lambda_g = lambda_c
# = 1.
_base_ = ["spunet-v1m1.py"]

model = dict(
    type="GC-v1m1",
    backbone="${_backbone}",
    backbone_out_channels=96,
    projector_hidden=256, group_dim=128, contrast_dim=128,
    num_prototypes=32, num_samples=2048,
    tau_s=0.1, tau_t=0.07, tau=0.4,
    group_loss_weight=1.0, contrast_loss_weight=1.0,
    teacher_momentum=0.996,
)
