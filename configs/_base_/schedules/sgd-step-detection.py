# The paper's detection fine-tuning recipe (GroupContrast Table 5f), applied as an _overlay_ (it sets the
# batch and the epochs over default_runtime's): SGD lr 1e-3, momentum 0.9, no weight decay, batch 64, 180
# epochs with step decay x0.1 at epochs 80, 120 and 160 (VoteNet's milestones); validation and a checkpoint
# every 18 epochs.
batch_size = 64
epoch = 180
eval_epoch = 18
optimizer = dict(type="SGD", lr=0.001, momentum=0.9, weight_decay=0.0, nesterov=False)
scheduler = dict(type="MultiStepLR", milestones=[80 / 180, 120 / 180, 160 / 180], gamma=0.1)
