# SUN RGB-D v1 detection: VoteNet's 10 classes, oriented boxes, VoteNet's preprocessed frames in
# data/sunrgbd/{train,val}/<id>_{pc.npz,bbox.npy,votes.npz}; voxel 0.02 m. Normals are estimated (towards the
# camera) so the input matches GroupContrast's colour + normal backbones; the stored votes are trained on.
# VoteNet's SUN RGB-D augmentation: flip in x, rotations of +-30 deg, scaling 0.85-1.15.
_base_ = ["detection.py"]

_num_classes = 10
_names = "${_sunrgbd_names}"
_dataset_type = "SUNRGBDDataset"
_data_root = "data/sunrgbd"
_grid_size = 0.02
_augment = [
    dict(type="DetectionRandomFlip", p=0.5, axes=("x",)),
    dict(type="DetectionRandomRotate", angle=(-1 / 6, 1 / 6), axis_aligned=False, p=1.0),
    dict(type="DetectionRandomScale", scale=(0.85, 1.15)),
]
_vote_keys = ("point_votes", "point_votes_mask")
# VoteNet's published SUN RGB-D class means (full sizes along the box's heading axis, then across, then
# height); recompute them for other data with tools/compute_mean_sizes.py --dataset sunrgbd.
mean_sizes = [
    [2.114256, 1.620300, 0.927272],  # bed
    [0.791118, 1.279516, 0.718182],  # table
    [0.923508, 1.867419, 0.845495],  # sofa
    [0.591958, 0.552978, 0.827272],  # chair
    [0.699104, 0.454178, 0.756250],  # toilet
    [0.695190, 1.346299, 0.736364],  # desk
    [0.528526, 1.002642, 1.172878],  # dresser
    [0.500618, 0.632163, 0.683424],  # night_stand
    [0.404671, 1.071108, 1.688889],  # bookshelf
    [0.765840, 1.398258, 0.472728],  # bathtub
]
data = dict(
    train=dict(estimate_normals=True, require=("point_votes",)),
    val=dict(estimate_normals=True, require=("point_votes",)),
    test=dict(estimate_normals=True, require=("point_votes",)),
)
