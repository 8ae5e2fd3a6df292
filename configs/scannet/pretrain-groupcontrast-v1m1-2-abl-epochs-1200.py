# Table 1i ablation, pretraining length: 1200 epochs (passes over the data set), warmup 12 epochs (1 % of
# training, as Table 5a's 12 of 1200; see pretrain-groupcontrast-v1m1-2-abl-base.py), 100 rounds of 12 passes.
# Everything else as the shared ablation base. Fine-tuned on the 20 % limited-reconstruction split by
# semseg-spunet-v1m1-6-efficient-lr20-ft-abl-epochs-1200.py, which loads the checkpoint this run writes to
# its save_path below (with scripts/train.sh -n NAME it goes to exp/scannet/NAME: pass -w to the fine-tune).
_base_ = ["pretrain-groupcontrast-v1m1-2-abl-base.py"]

save_path = "exp/scannet/pretrain-groupcontrast-v1m1-2-abl-epochs-1200"
epoch = 1200
eval_epoch = 100
scheduler = dict(warmup_epochs=12)
