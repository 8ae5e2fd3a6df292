# The data block of a detection data set: train / val / test of one dataset type; testing runs the validation
# transforms on whole val scenes. The dataset base (scannet_detection.py, sunrgbd.py, demo_detection.py) sets
# _dataset_type, _data_root, _num_classes, _names and the config variables of pipelines/detection.py.
_base_ = ["class_names.py"]

data = dict(
    num_classes="${_num_classes}",
    names="${_names}",
    train=dict(type="${_dataset_type}", split="train", data_root="${_data_root}",
               transform="${_train_transform}"),
    val=dict(type="${_dataset_type}", split="val", data_root="${_data_root}", transform="${_val_transform}"),
    test=dict(type="${_dataset_type}", split="val", data_root="${_data_root}", transform="${_val_transform}"),
)
