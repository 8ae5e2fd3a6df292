"""Registries: building, close-name errors, argument checks."""

import pytest

from pointcept.utils.registry import Registry


@pytest.fixture
def registry():
    reg = Registry("things")

    @reg.register_module()
    class Widget:
        def __init__(self, size=1, colour="red"):
            self.size, self.colour = size, colour

    @reg.register_module("Gadget-v1m1")
    class Gadget:
        def __init__(self, **kwargs):
            self.kwargs = kwargs

    return reg


def test_build_and_config_unchanged(registry):
    cfg = {"type": "Widget", "size": 3}
    obj = registry.build(cfg, colour="blue")
    assert (obj.size, obj.colour) == (3, "blue")
    assert cfg == {"type": "Widget", "size": 3}
    assert registry.build({"type": "Gadget-v1m1", "a": 1}).kwargs == {"a": 1}


def test_unknown_type_names_the_closest(registry):
    with pytest.raises(KeyError, match=r"'Widgit' is not registered in registry 'things'.*'Widget'"):
        registry.build({"type": "Widgit"})


def test_unknown_argument_names_the_closest(registry):
    with pytest.raises(TypeError, match=r"unexpected argument 'colur'.*'colour'"):
        registry.build({"type": "Widget", "colur": "x"})


def test_duplicate_registration_rejected(registry):
    with pytest.raises(KeyError, match="already registered"):
        registry.register_module("Widget", module=dict)


def test_constructor_error_keeps_type_and_says_where(registry):
    @registry.register_module()
    class Broken:
        def __init__(self):
            raise ValueError("bad value")

    with pytest.raises(ValueError, match="bad value") as info:
        registry.build({"type": "Broken"})
    assert any("Broken" in note for note in info.value.__notes__)
