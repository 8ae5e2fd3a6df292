"""SpUNet-v1m1's checkpoint format is frozen: Pointcept's checkpoints must load key-for-key.

``data/spunet_v1m1_state_dict.json`` lists ``{key: shape}`` of the state dict of Pointcept's original
``SpUNet-v1m1`` (in_channels=6, num_classes=20, the ScanNet config), dumped from the upstream class itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from pointcept.models import build_model

REFERENCE = Path(__file__).parent / "data" / "spunet_v1m1_state_dict.json"


def _reference() -> dict[str, list[int]]:
    return json.loads(REFERENCE.read_text())


def _model():
    return build_model(dict(type="SpUNet-v1m1", in_channels=6, num_classes=20))


def test_state_dict_names_and_shapes_match_pointcept():
    reference = _reference()
    ours = {key: list(value.shape) for key, value in _model().state_dict().items()}
    missing = sorted(set(reference) - set(ours))
    unexpected = sorted(set(ours) - set(reference))
    assert not missing and not unexpected, f"missing {missing[:10]}, unexpected {unexpected[:10]}"
    wrong = {k: (ours[k], reference[k]) for k in reference if ours[k] != reference[k]}
    assert not wrong, f"shape (ours, pointcept): {wrong}"
    # Same order too: optimizer checkpoints address parameters by position.
    assert list(ours) == list(reference)


def test_pointcept_key_set_loads_strictly():
    tensors = {
        key: torch.full(shape, 0.5) if shape else torch.tensor(7) for key, shape in _reference().items()
    }
    model = _model()
    result = model.load_state_dict(tensors, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    assert torch.equal(model.state_dict()["final.weight"], torch.full((20, 1, 1, 1, 96), 0.5))
    assert model.state_dict()["conv_input.1.num_batches_tracked"].item() == 7


def test_reference_covers_batch_norm_buffers():
    reference = _reference()
    assert len(reference) == 356
    assert reference["conv_input.0.weight"] == [32, 5, 5, 5, 6]  # spconv layout [out, k, k, k, in]
    assert reference["dec.0.block0.proj.0.weight"] == [96, 1, 1, 1, 128]
    assert reference["enc.3.block5.bn2.num_batches_tracked"] == []
    assert sum(key.endswith("running_var") for key in reference) == 59
