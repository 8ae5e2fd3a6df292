# The pretraining optimiser of GroupContrast (paper Table 5a) and of Pointcept's MSC / PointContrast / CSC
# configs: SGD lr 0.1, momentum 0.8, Nesterov, weight decay 1e-4. Each config sets its scheduler.
optimizer = dict(type="SGD", lr=0.1, momentum=0.8, weight_decay=0.0001, nesterov=True)
