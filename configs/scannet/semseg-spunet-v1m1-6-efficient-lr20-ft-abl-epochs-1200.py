# Table 1i, pretraining length 1200 epochs, fine-tuning stage: ScanNet semantic segmentation on the 20 %
# limited-reconstruction scene list (semseg-spunet-v1m1-2-efficient-lr20.py, its schedule unchanged),
# from the student backbone of pretrain-groupcontrast-v1m1-2-abl-epochs-1200.py (student.backbone.* ->
# backbone.*; teacher, projectors and prototypes dropped; the 20-class head starts fresh). `weight` is
# where that pretraining config writes by default (its save_path + model/model_last.pth);
# point it elsewhere with --options weight=...
# Make the lists once: python tools/make_data_efficient_splits.py data/scannet  (writes data/scannet/tasks/)
_base_ = ["semseg-spunet-v1m1-2-efficient-lr20.py"]

save_path = "exp/scannet/semseg-spunet-v1m1-6-efficient-lr20-ft-abl-epochs-1200"
weight = "exp/scannet/pretrain-groupcontrast-v1m1-2-abl-epochs-1200/model/model_last.pth"
weight_mapping = [("student.backbone.", "backbone.")]
weight_keep_unmapped = False
