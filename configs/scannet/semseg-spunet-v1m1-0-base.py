# SparseUNet34C (SpUNet-v1m1) semantic segmentation on ScanNet v2 with the paper's fine-tuning recipe.
# Fine-tune from GroupContrast: --options weight=exp/scannet/<pretrain>/model/model_last.pth
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/datasets/scannet.py",
    "../_base_/pipelines/semseg.py",
    "../_base_/models/semseg-spunet-v1m1.py",
    "../_base_/schedules/sgd-cosine-finetune.py",
]
_overlay_ = ["../_base_/models/spunet-v1m1-34c.py"]

batch_size = 48
epoch = 800
eval_epoch = 100
num_worker = 16
mix_prob = 0.8
enable_amp = True
