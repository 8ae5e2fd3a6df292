# The paper's instance-segmentation fine-tuning optimiser (GroupContrast Table 5d/5e, ScanNet, ScanNet200 and
# S3DIS): SGD lr 0.1, momentum 0.9, weight decay 1e-4, poly decay. The configs that use it set the batch (48
# on ScanNet, 12 on S3DIS) and the epochs (800, 3000).
optimizer = dict(type="SGD", lr=0.1, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="PolyLR")
