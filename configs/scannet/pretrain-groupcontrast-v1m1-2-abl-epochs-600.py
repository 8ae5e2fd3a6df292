# Table 1i ablation, pretraining length: 600 epochs (passes over the data set), warmup 6 epochs (1 % of
# training, as Table 5a's 12 of 1200; see pretrain-groupcontrast-v1m1-2-abl-base.py), 50 rounds of 12 passes.
# Everything else as the shared ablation base. Fine-tuned on the 20 % limited-reconstruction split by
# semseg-spunet-v1m1-6-efficient-lr20-ft-abl-epochs-600.py, which loads the checkpoint this run writes to
# its save_path below (with scripts/train.sh -n NAME it goes to exp/scannet/NAME: pass -w to the fine-tune).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

save_path = "exp/scannet/pretrain-groupcontrast-v1m1-2-abl-epochs-600"
epoch = 600
eval_epoch = 50
scheduler = dict(warmup_epochs=6)
