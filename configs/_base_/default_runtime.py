# Runtime defaults every config inherits; each setting can be overridden with --options key=value.
# These (with model, optimizer, scheduler, data) are the keys the trainer, testers and hooks read
# (pointcept.engines.defaults.CONFIG_KEYS); any other top-level key is reported at training start as
# having no effect. Names starting with "_" are private config variables and never reported.
weight = None  # path of weights to start from (fine-tuning); keys are remapped by CheckpointLoader
weight_mapping = []  # (old_prefix, new_prefix) renames, e.g. [("student.backbone.", "backbone.")]
weight_keep_unmapped = True  # False: ignore checkpoint keys no mapping matched (teacher, projectors)
# Fine-tuning fails unless weight= fills every backbone tensor (the task head backbone.final.* excepted; the
# prefix is detected when weight_mapping matches nothing). True, or a list of allowed-missing key prefixes
# such as ["backbone.enc.3."], permits a partial load on purpose.
weight_allow_partial = False
resume = False  # continue from <save_path>/model/model_last.pth (model, optimizer, schedule, RNG, best)
evaluate = True  # run the val split after every epoch round (eval_epoch rounds in total)
test_only = False

seed = None  # None: draw one and record it in config.py
save_path = None  # None: exp/<config folder>/<config name>, e.g. exp/scannet/semseg-spunet-v1m1-0-base
num_worker = 4  # data loader workers, total over all processes
batch_size = 16  # total over all processes, per micro-batch
gradient_accumulation_steps = 1  # micro-batches per optimizer step (effective batch = batch_size x this)
batch_size_val = None  # None: 1 per process
batch_size_test = None  # fragments per forward pass in whole-scene testing (None: 1)
epoch = 100  # total training epochs (passes over the data set)
eval_epoch = 100  # evaluation/checkpoint rounds; each round trains epoch // eval_epoch epochs
clip_grad = None  # max gradient norm, None disables

sync_bn = False  # convert BatchNorm to SyncBatchNorm when training on several processes
enable_amp = False  # mixed precision, CUDA only (ignored on the CPU)
amp_dtype = "float16"
find_unused_parameters = False
mix_prob = 0.0  # Mix3D: probability of merging two training scenes into one sample
param_dicts = None  # e.g. [dict(keyword="backbone", lr_scale=0.1)]

enable_wandb = False  # also log the tensorboard scalars to Weights & Biases (pip install wandb)
wandb_project = "pointcept"
wandb_key = None  # None: an existing `wandb login` (WANDB_API_KEY), else offline mode

# The task's hooks: validation after each round (the semseg evaluator here; insseg_runtime.py and
# detection_runtime.py swap it, pretrain_runtime.py has none) and the test of the best checkpoint at the end.
_evaluator_hooks = [dict(type="SemSegEvaluator")]
_test_hooks = [dict(type="PreciseEvaluator", test_last=False)]
hooks = [
    dict(type="CheckpointLoader"),
    dict(type="ModelHook"),
    dict(type="IterationTimer", warmup_iter=2),
    dict(type="InformationWriter"),
    "${*_evaluator_hooks}",
    dict(type="CheckpointSaver", save_freq=None),
    "${*_test_hooks}",
]

train = dict(type="DefaultTrainer")
test = dict(type="SemSegTester", verbose=True)
