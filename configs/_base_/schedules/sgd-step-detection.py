# The paper's detection fine-tuning optimiser (GroupContrast Table 5f): SGD lr 1e-3, momentum 0.9, no weight
# decay, step decay x0.1 at epochs 80, 120 and 160 of 180 (VoteNet's milestones). The config that uses it
# sets batch_size = 64, epoch = 180.
optimizer = dict(type="SGD", lr=0.001, momentum=0.9, weight_decay=0.0, nesterov=False)
scheduler = dict(type="MultiStepLR", milestones=[80 / 180, 120 / 180, 160 / 180], gamma=0.1)
