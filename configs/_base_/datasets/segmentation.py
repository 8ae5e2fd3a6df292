# The data block of a segmentation data set (semantic and instance): train / val / test splits of one dataset
# type, whole-scene testing on val. The dataset base (scannet.py, s3dis.py, ...) sets _dataset_type,
# _data_root, _num_classes, _names and the pipeline's config variables; the task's pipelines/ base (semseg.py
# or instance.py) sets the transforms.
_base_ = ["class_names.py"]

data = dict(
    num_classes="${_num_classes}",
    ignore_index=-1,
    names="${_names}",
    train=dict(type="${_dataset_type}", split="train", data_root="${_data_root}",
               transform="${_train_transform}", test_mode=False),
    val=dict(type="${_dataset_type}", split="val", data_root="${_data_root}", transform="${_val_transform}",
             test_mode=False),
    test=dict(type="${_dataset_type}", split="val", data_root="${_data_root}", transform="${_test_transform}",
              test_mode=True, test_cfg="${_test_cfg}"),
)
