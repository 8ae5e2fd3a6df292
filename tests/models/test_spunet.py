"""SpUNet-v1m1 end to end on small clouds: shapes, finiteness, gradients, input handling."""

from __future__ import annotations

import pytest
import torch

from pointcept.models import build_model
from pointcept.models.sparse_unet import SpUNetBase


def _spunet(**kwargs) -> SpUNetBase:
    torch.manual_seed(0)
    return build_model(dict(type="SpUNet-v1m1", in_channels=6, **kwargs))


def test_forward_backward_reaches_every_parameter(make_voxel_cloud):
    model = _spunet(num_classes=20).train()
    data = make_voxel_cloud(sizes=(300, 250))
    data["feat"].requires_grad_()
    out = model(data)
    assert out.shape == (550, 20)
    assert torch.isfinite(out).all()
    out.square().mean().backward()
    assert torch.isfinite(data["feat"].grad).all() and data["feat"].grad.abs().sum() > 0
    no_grad = [name for name, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert not no_grad, f"parameters without a gradient: {no_grad}"
    bad = [name for name, p in model.named_parameters() if not torch.isfinite(p.grad).all()]
    assert not bad, f"non-finite gradients: {bad}"


@pytest.mark.parametrize(
    ("kwargs", "per_point", "width"),
    [
        (dict(num_classes=20), True, 20),
        (dict(num_classes=0), True, 96),
        (dict(num_classes=0, enc_mode=True), False, 256),
        (dict(num_classes=13, enc_mode=True), False, 13),
    ],
)
def test_output_shapes(make_voxel_cloud, kwargs, per_point, width):
    model = _spunet(**kwargs).eval()
    data = make_voxel_cloud(sizes=(200, 150))
    with torch.no_grad():
        out = model(data)
    assert out.shape == ((350 if per_point else 2), width)
    assert model.out_channels == width
    assert torch.isfinite(out).all()


def test_enc_mode_has_no_decoder():
    keys = _spunet(num_classes=0, enc_mode=True).state_dict().keys()
    assert not any(k.startswith(("up.", "dec.", "final.")) for k in keys)
    assert any(k.startswith("enc.3.block5.") for k in keys)


def test_forward_features_is_the_head_input_in_point_order(make_voxel_cloud):
    model = _spunet(num_classes=20).eval()
    data = make_voxel_cloud(sizes=(200, 150))
    with torch.no_grad():
        features = model.forward_features(data)
        logits = model(data)
    assert features.features.shape == (350, model.feature_channels) == (350, 96)
    assert torch.equal(features.indices[:, 1:].long(), data["grid_coord"])
    assert torch.equal(features.indices[:, 0].long(), torch.tensor([0] * 200 + [1] * 150))
    with torch.no_grad():
        torch.testing.assert_close(model.final(features).features, logits)


def test_enc_mode_pools_each_sample(make_voxel_cloud):
    model = _spunet(num_classes=0, enc_mode=True).eval()
    data = make_voxel_cloud(sizes=(200, 150))
    with torch.no_grad():
        coarse = model.forward_features(data)
        pooled = model(data)
    for b in range(2):
        torch.testing.assert_close(pooled[b], coarse.features[coarse.indices[:, 0] == b].mean(0))


def test_non_contiguous_inputs_give_the_same_result(make_voxel_cloud):
    """spconv reads raw index memory; the model must make indices contiguous (nonzero() is column-major)."""
    model = _spunet(num_classes=20).eval()
    data = make_voxel_cloud(sizes=(200, 150))
    strided = {
        "grid_coord": data["grid_coord"].t().contiguous().t(),
        "feat": data["feat"].t().contiguous().t(),
        "offset": data["offset"],
    }
    assert not strided["grid_coord"].is_contiguous() and not strided["feat"].is_contiguous()
    with torch.no_grad():
        torch.testing.assert_close(model(strided), model(data), atol=0, rtol=0)


def test_result_does_not_depend_on_coordinate_extent(make_voxel_cloud):
    """The spatial shape is derived from the data; shifting every voxel by 16 (one coarsest cell) changes
    neither neighbourhoods nor the stride-2 grouping, so outputs must be identical."""
    model = _spunet(num_classes=20).eval()
    data = make_voxel_cloud(sizes=(200, 150), extent=20)
    shifted = dict(data, grid_coord=data["grid_coord"] + 16)
    with torch.no_grad():
        torch.testing.assert_close(model(shifted), model(data), atol=0, rtol=0)


def test_negative_coordinates_are_rejected(make_voxel_cloud):
    model = _spunet(num_classes=20)
    data = make_voxel_cloud(sizes=(50,))
    data["grid_coord"][0, 1] = -1
    with pytest.raises(ValueError, match="grid_coord must be >= 0"):
        model(data)


def test_mismatched_stage_lists_are_rejected():
    with pytest.raises(ValueError, match="equal, even length"):
        _spunet(num_classes=20, channels=(32, 64, 96), layers=(1, 1, 1))
