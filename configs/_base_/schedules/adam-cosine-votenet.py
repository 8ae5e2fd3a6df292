# VoteNet's own recipe for the short detection runs (demo, real-sample CPU runs), applied as an _overlay_ (it
# replaces an inherited optimiser): Adam lr 2e-3 without weight decay, cosine with 5 % warmup, gradient norm
# clipped at 10. The paper's SGD 1e-3 step schedule (sgd-step-detection.py) needs far more steps.
optimizer = dict(_delete_=True, type="Adam", lr=0.002, weight_decay=0.0)
scheduler = dict(_delete_=True, type="CosineAnnealingLR", warmup_ratio=0.05)
clip_grad = 10.0
