# The slim SpUNet-v1m1 of the demo configs, applied as an _overlay_ over a model block: half width, one block
# per stage, 48-d features; BN momentum 0.1, since a short schedule's running statistics must converge within
# ~100 steps.
_backbone = dict(channels=(16, 32, 64, 128, 128, 64, 48, 48), layers=(1, 1, 1, 1, 1, 1, 1, 1),
                 bn_momentum=0.1)
