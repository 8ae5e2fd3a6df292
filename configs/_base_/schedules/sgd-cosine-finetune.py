# GroupContrast fine-tuning optimiser (paper Table 5b, ScanNet / ScanNet200): SGD, cosine, 40 warmup epochs.
# The config that uses it sets batch_size = 48, epoch = 800.
optimizer = dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=40, warmup_start_factor=0.0)
