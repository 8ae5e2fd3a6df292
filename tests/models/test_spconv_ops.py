"""The sparse backend against dense ``torch.nn.functional`` convs, forward and backward, on the CPU.

Conventions pinned here: spconv indices are ``(batch, x, y, z)`` with ``spatial_shape = [X, Y, Z]`` (so
``dense()`` is ``(B, C, X, Y, Z)``); weights are ``[out, k, k, k, in]``, i.e. conv3d's ``[out, in, k, k, k]``
after ``permute(0, 4, 1, 2, 3)``; a submanifold conv equals the dense conv (zero-filled input, "same" padding)
read at the input voxels; an inverse conv equals ``conv_transpose3d`` read at the voxels it inverts.

spconv 2.3.8's CPU ``scatter_add`` races across OpenMP threads (shared row pointers); ``sparse_backend``
replaces it, and ``test_cpu_convs_are_right_with_several_threads`` checks that fix with two threads.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from pointcept.models.layers.sparse_backend import spconv

SHAPE = [5, 6, 7]  # deliberately not a cube: catches swapped axes


def _grid(occupancy: float, batch=2, shape=SHAPE, channels=3, seed=0, dtype=torch.float32):
    generator = torch.Generator().manual_seed(seed)
    occupied = torch.rand(batch, *shape, generator=generator) < occupancy
    # nonzero() is column-major in recent torch and spconv misreads non-contiguous indices: keep .contiguous()
    indices = occupied.nonzero().int().contiguous()
    features = torch.randn(len(indices), channels, generator=generator, dtype=dtype)
    return spconv.SparseConvTensor(features, indices, list(shape), batch)


def _at_voxels(dense: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    b, x, y, z = indices.long().unbind(1)
    return dense[b, :, x, y, z]


def _dense_weight(conv) -> torch.Tensor:
    return conv.weight.permute(0, 4, 1, 2, 3)


@pytest.mark.parametrize("occupancy", [1.0, 0.4])
@pytest.mark.parametrize("kernel_size", [3, 5])
def test_subm_conv_matches_dense_conv3d(occupancy, kernel_size):
    torch.manual_seed(0)
    x = _grid(occupancy)
    conv = spconv.SubMConv3d(3, 4, kernel_size=kernel_size, padding=kernel_size // 2, bias=True)
    torch.nn.init.normal_(conv.bias)
    with torch.no_grad():
        out = conv(x)
        expected = F.conv3d(x.dense(), _dense_weight(conv), conv.bias, padding=kernel_size // 2)
    assert torch.equal(out.indices, x.indices)  # submanifold: same voxels, same order
    torch.testing.assert_close(out.features, _at_voxels(expected, x.indices), atol=1e-5, rtol=0)


def test_subm_conv_ignores_padding():
    """SpUNet keeps Pointcept's ``padding=1`` on its 5x5x5 stem: harmless only as SubM ignores padding."""
    torch.manual_seed(0)
    x = _grid(0.4)
    conv = spconv.SubMConv3d(3, 4, kernel_size=5, padding=1, bias=False)
    with torch.no_grad():
        out = conv(x).features
        expected = _at_voxels(F.conv3d(x.dense(), _dense_weight(conv), padding=2), x.indices)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=0)


def test_kernel_one_subm_conv_reads_weight_memory_as_in_by_out():
    """spconv computes a 1x1x1 conv as ``features @ weight.view(in, out)`` although the weight is stored as
    ``[out, 1, 1, 1, in]``: a raw reinterpretation, not a transpose (spconv-triton copies it). Pointcept's
    ``proj`` and ``final`` layers were trained through it, so checkpoints rely on it: do not "fix" it here."""
    torch.manual_seed(0)
    x = _grid(0.4)
    conv = spconv.SubMConv3d(3, 4, kernel_size=1, bias=False)
    with torch.no_grad():
        out = conv(x).features
    torch.testing.assert_close(out, x.features @ conv.weight.detach().reshape(3, 4), atol=1e-6, rtol=0)


@pytest.mark.parametrize("occupancy", [1.0, 0.4])
@pytest.mark.parametrize(("kernel_size", "stride", "padding"), [(2, 2, 0), (3, 1, 1), (3, 2, 1)])
def test_regular_sparse_conv_matches_dense_conv3d(occupancy, kernel_size, stride, padding):
    torch.manual_seed(0)
    x = _grid(occupancy)
    conv = spconv.SparseConv3d(3, 4, kernel_size=kernel_size, stride=stride, padding=padding, bias=False)
    with torch.no_grad():
        out = conv(x)
        expected = F.conv3d(x.dense(), _dense_weight(conv), stride=stride, padding=padding)
    assert list(out.spatial_shape) == list(expected.shape[2:])
    # every voxel the dense conv reaches is active, and inactive ones are zero in both
    torch.testing.assert_close(out.dense(), expected, atol=1e-5, rtol=0)


def test_inverse_conv_matches_conv_transpose3d():
    torch.manual_seed(0)
    x = _grid(0.4, shape=[6, 8, 10])
    down = spconv.SparseConv3d(3, 4, kernel_size=2, stride=2, bias=False, indice_key="s1")
    up = spconv.SparseInverseConv3d(4, 5, kernel_size=2, bias=False, indice_key="s1")
    with torch.no_grad():
        out = up(down(x))
        coarse = F.conv3d(x.dense(), _dense_weight(down), stride=2)
        expected = F.conv_transpose3d(coarse, up.weight.permute(4, 0, 1, 2, 3), stride=2)
    assert torch.equal(out.indices, x.indices)  # back onto exactly the inverted voxels, in their order
    torch.testing.assert_close(out.features, _at_voxels(expected, x.indices), atol=1e-5, rtol=0)


def _sparse_chain(x, subm, down, up):
    return up(down(subm(x))).features


def _dense_chain(x, subm, down, up):
    """The same three layers on a dense grid; masks keep only what the sparse ops compute."""
    dense = x.dense()
    mask = (dense != 0).any(1, keepdim=True).to(dense.dtype)
    h = F.conv3d(dense, _dense_weight(subm), padding=1) * mask
    h = F.conv3d(h, _dense_weight(down), stride=2)
    h = F.conv_transpose3d(h, up.weight.permute(4, 0, 1, 2, 3), stride=2)
    return _at_voxels(h, x.indices)


def test_backward_through_subm_strided_and_inverse_convs():
    """Backward runs on a CPU-only torch (the stream patch) and its gradients equal the dense ones."""
    torch.manual_seed(0)
    x = _grid(0.4, shape=[6, 8, 10], dtype=torch.float64)
    subm = spconv.SubMConv3d(3, 4, kernel_size=3, padding=1, bias=False, indice_key="subm1").double()
    down = spconv.SparseConv3d(4, 6, kernel_size=2, stride=2, bias=False, indice_key="spconv1").double()
    up = spconv.SparseInverseConv3d(6, 5, kernel_size=2, bias=False, indice_key="spconv1").double()
    params = [subm.weight, down.weight, up.weight]
    feats = x.features.clone().requires_grad_()
    out = _sparse_chain(x.replace_feature(feats), subm, down, up)
    weights = torch.randn_like(out)
    grads = torch.autograd.grad((out * weights).sum(), [feats, *params])

    dense_feats = x.features.clone().requires_grad_()
    expected_out = _dense_chain(x.replace_feature(dense_feats), subm, down, up)
    expected = torch.autograd.grad((expected_out * weights).sum(), [dense_feats, *params])

    torch.testing.assert_close(out, expected_out, atol=1e-10, rtol=0)
    for name, got, want in zip(["features", "subm", "down", "inverse"], grads, expected):
        assert got.abs().sum() > 0, f"no gradient reached {name}"
        torch.testing.assert_close(got, want, atol=1e-10, rtol=0, msg=f"gradient of {name}")


def test_cpu_convs_are_right_with_several_threads():
    """spconv 2.3.8's CPU scatter-add races across OpenMP threads; sparse_backend routes it through
    torch's index_add_. Without that patch this test fails in nearly every run."""
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    x = _grid(0.5, shape=[9, 10, 11], channels=16)
    conv = spconv.SubMConv3d(16, 24, kernel_size=3, padding=1, bias=False, indice_key="k")
    with torch.no_grad():
        expected = _at_voxels(F.conv3d(x.dense(), _dense_weight(conv), padding=1), x.indices)
        errors = [(conv(x).features - expected).abs().max().item() for _ in range(20)]
    torch.set_num_threads(threads)
    assert max(errors) < 1e-5, f"{sum(e >= 1e-5 for e in errors)}/20 runs wrong, worst {max(errors):.3g}"
