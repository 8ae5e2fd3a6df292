# The CPU budget of the *-real-cpu configs, applied as an _overlay_ over a full-size config: batch 2, one
# loader worker, a fixed seed, fp32 and no SyncBN (one process). Each config sets its own epochs.
batch_size = 2
num_worker = 1
seed = 0
enable_amp = False
sync_bn = False
