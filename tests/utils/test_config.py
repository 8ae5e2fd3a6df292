"""Config files: _base_ inheritance, _delete_, checked overrides, dump/reload."""

import textwrap

import pytest

from pointcept.utils.config import Config, parse_value


def write(path, text):
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def config_tree(tmp_path):
    (tmp_path / "_base_").mkdir()
    write(tmp_path / "_base_" / "runtime.py", """
        seed = 1
        hooks = [dict(type="A"), dict(type="B")]
        optimizer = dict(type="SGD", lr=0.1, momentum=0.9)
    """)
    write(tmp_path / "_base_" / "data.py", """
        data = dict(num_classes=20, train=dict(type="ScanNetDataset", split="train", loop=1))
    """)
    write(tmp_path / "child.py", """
        _base_ = ["_base_/runtime.py", "_base_/data.py"]
        optimizer = dict(lr=0.05)
        data = dict(train=dict(loop=4))
        model = dict(type="M", channels=(1, 2))
    """)
    write(tmp_path / "replace.py", """
        _base_ = "child.py"
        optimizer = dict(_delete_=True, type="AdamW", lr=0.001)
    """)
    return tmp_path


def test_bases_merge_nested_dicts(config_tree):
    cfg = Config.fromfile(config_tree / "child.py")
    assert cfg.optimizer == {"type": "SGD", "lr": 0.05, "momentum": 0.9}
    assert cfg.data.train.loop == 4 and cfg.data.train.split == "train" and cfg.data.num_classes == 20
    assert cfg.seed == 1 and cfg.hooks[1].type == "B" and cfg.model.channels == (1, 2)


def test_delete_replaces_instead_of_merging(config_tree):
    cfg = Config.fromfile(config_tree / "replace.py")
    assert cfg.optimizer == {"type": "AdamW", "lr": 0.001}
    assert "_delete_" not in cfg.optimizer


def test_two_bases_defining_one_key_is_an_error(tmp_path):
    write(tmp_path / "a.py", "x = 1\n")
    write(tmp_path / "b.py", "x = 2\n")
    write(tmp_path / "c.py", "_base_ = ['a.py', 'b.py']\n")
    with pytest.raises(KeyError, match="'x' is defined by two bases"):
        Config.fromfile(tmp_path / "c.py")


def test_inheritance_cycle_and_missing_base(tmp_path):
    write(tmp_path / "a.py", "_base_ = 'b.py'\n")
    write(tmp_path / "b.py", "_base_ = 'a.py'\n")
    with pytest.raises(ValueError, match="cycle"):
        Config.fromfile(tmp_path / "a.py")
    write(tmp_path / "d.py", "_base_ = 'nope.py'\n")
    with pytest.raises(FileNotFoundError, match="nope.py"):
        Config.fromfile(tmp_path / "d.py")


def test_options_override_with_type_parsing(config_tree):
    cfg = Config.fromfile(config_tree / "child.py")
    cfg.merge_from_options(["optimizer.lr=0.2", "data.train.split=val", "seed=None", "model.channels=[3,4]",
                            "hooks.0.type=C", "+extra.key=true"])
    assert cfg.optimizer.lr == 0.2 and isinstance(cfg.optimizer.lr, float)
    assert cfg.data.train.split == "val"
    assert cfg.seed is None
    assert cfg.model.channels == [3, 4]
    assert cfg.hooks[0].type == "C"
    assert cfg.extra == {"key": True}


def test_misspelled_override_key_names_the_closest(config_tree):
    cfg = Config.fromfile(config_tree / "child.py")
    with pytest.raises(KeyError, match=r"unknown key 'optimiser'.*'optimizer'"):
        cfg.merge_from_options(["optimiser.lr=0.1"])
    with pytest.raises(KeyError, match=r"unknown key 'lrr' in optimizer.*'lr'"):
        cfg.merge_from_options(["optimizer.lrr=0.1"])
    with pytest.raises(KeyError, match="not an index"):
        cfg.merge_from_options(["hooks.7.type=X"])
    with pytest.raises(ValueError, match="key=value"):
        cfg.merge_from_options(["optimizer.lr"])


def test_attribute_access_does_not_create_keys(config_tree):
    cfg = Config.fromfile(config_tree / "child.py")
    with pytest.raises(AttributeError, match="optimizer"):
        _ = cfg.optimzer
    assert "optimzer" not in cfg


def test_dump_reloads_to_the_same_values(config_tree, tmp_path):
    cfg = Config.fromfile(config_tree / "child.py")
    cfg.merge_from_options(["optimizer.lr=0.3"])
    out = tmp_path / "exp" / "config.py"
    cfg.dump(out)
    assert Config.fromfile(out) == cfg
    assert not list(out.parent.glob("*.tmp"))


@pytest.mark.parametrize("raw,value", [("1", 1), ("1e-3", 1e-3), ("[1, 2]", [1, 2]), ("(0.1,)", (0.1,)),
                                       ("True", True), ("false", False), ("none", None), ("exp/a", "exp/a"),
                                       ("{'a': 1}", {"a": 1})])
def test_parse_value(raw, value):
    assert parse_value(raw) == value


# ------------------------------------------------------------------ config variables, references, overlays
@pytest.fixture
def reference_tree(tmp_path):
    write(tmp_path / "pipeline.py", """
        _steps = [dict(type="A"), dict(type="Grid", grid_size="${_grid_size}")]
        _transform = ["${*_steps}", dict(type="Collect", keys="${_keys}")]
        _keys = ("coord",)
    """)
    write(tmp_path / "dataset.py", """
        _grid_size = 0.05
        data = dict(num_classes=3, train=dict(type="D", transform="${_transform}"))
    """)
    write(tmp_path / "child.py", """
        _base_ = ["pipeline.py", "dataset.py"]
        _grid_size = 0.02
        model = dict(classes="${data.num_classes}", sizes="${sizes}")
        sizes = [1, 2]
    """)
    return tmp_path


def test_references_are_late_bound_spliced_and_private_variables_dropped(reference_tree, tmp_path):
    cfg = Config.fromfile(reference_tree / "child.py")
    assert cfg.data.train.transform == [{"type": "A"}, {"type": "Grid", "grid_size": 0.02},
                                        {"type": "Collect", "keys": ("coord",)}]
    assert cfg.model == {"classes": 3, "sizes": [1, 2]}
    assert not any(key.startswith("_") for key in cfg)
    assert "sizes" in cfg.__dict__["_config_variables"]  # read by the config itself: not an unknown key
    cfg.dump(tmp_path / "config.py")  # resolved: every value written out, reloads to the same values
    assert "${" not in (tmp_path / "config.py").read_text() and Config.fromfile(tmp_path / "config.py") == cfg


def test_two_bases_defining_one_private_variable_is_an_error(tmp_path):
    write(tmp_path / "a.py", "_x = 1\n")
    write(tmp_path / "b.py", "_x = 2\n")
    write(tmp_path / "c.py", "_base_ = ['a.py', 'b.py']\n")
    with pytest.raises(KeyError, match="'_x' is defined by two bases"):
        Config.fromfile(tmp_path / "c.py")


def test_overlay_sets_what_a_base_set_and_keeps_delete(reference_tree):
    write(reference_tree / "budget.py", """
        _grid_size = 0.1
        optimizer = dict(_delete_=True, type="Adam", lr=0.002)
        data = dict(train=dict(cache=True))
    """)
    write(reference_tree / "run.py", """
        _base_ = ["child.py"]
        _overlay_ = ["budget.py"]
        optimizer = dict(lr=0.003)
    """)
    cfg = Config.fromfile(reference_tree / "run.py")
    assert cfg.optimizer == {"type": "Adam", "lr": 0.003}  # the overlay replaced the (absent) optimizer
    assert cfg.data.train.cache is True and cfg.data.train.transform[1]["grid_size"] == 0.1


@pytest.mark.parametrize("text,error,match", [
    ("x = '${_nope}'\n_nape = 1\n", KeyError, r"\$\{_nope\}.* at x: no config variable '_nope'.*'_nape'"),
    ("x = ['${*_y}']\n_y = 3\n", TypeError, "expected a list to splice"),
    ("x = '${_a}'\n_a = '${_b}'\n_b = ['${_a}']\n", ValueError, "cycle"),
    ("x = dict(a='${_d.b}')\n_d = dict(c=1)\n", KeyError, "_d has no key 'b'"),
])
def test_bad_references_are_named(tmp_path, text, error, match):
    write(tmp_path / "c.py", text)
    with pytest.raises(error, match=match):
        Config.fromfile(tmp_path / "c.py")


def test_a_dict_cannot_be_merged_into_a_reference(tmp_path):
    write(tmp_path / "base.py", "_backbone = dict(a=1)\nmodel = dict(backbone='${_backbone}')\n")
    write(tmp_path / "child.py", "_base_ = 'base.py'\nmodel = dict(backbone=dict(a=2))\n")
    with pytest.raises(ValueError, match="override '_backbone' instead"):
        Config.fromfile(tmp_path / "child.py")
    write(tmp_path / "ok.py", "_base_ = 'base.py'\n_backbone = dict(a=2)\n")
    assert Config.fromfile(tmp_path / "ok.py").model == {"backbone": {"a": 2}}
