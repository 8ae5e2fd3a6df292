"""CUDA checks of the sparse backend and SpUNet-v1m1 (skipped without CUDA, see tests/conftest.py).

TF32 is switched off so float32 results can be compared at 1e-4.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from pointcept.models.layers.sparse_backend import cuda_backends

pytestmark = pytest.mark.gpu

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_tf32():
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


def _relative_error(got: torch.Tensor, want: torch.Tensor) -> float:
    return ((got.double() - want.double()).abs().max() / want.double().abs().max().clamp_min(1e-12)).item()


def _cuda_grid(spconv, shape=(10, 12, 14), channels=8, occupancy=0.3, batch=2, seed=0):
    generator = torch.Generator().manual_seed(seed)
    occupied = torch.rand(batch, *shape, generator=generator) < occupancy
    indices = occupied.nonzero().int().contiguous().cuda()
    features = torch.randn(len(indices), channels, generator=generator).cuda()
    return spconv.SparseConvTensor(features, indices, list(shape), batch)


def _at_voxels(dense, indices):
    b, x, y, z = indices.long().unbind(1)
    return dense[b, :, x, y, z]


def test_cuda_convs_match_dense_conv3d():
    from pointcept.models.layers.sparse_backend import spconv

    torch.manual_seed(0)
    x = _cuda_grid(spconv)
    dense = x.dense()
    with torch.no_grad():
        for k in (3, 5):
            conv = spconv.SubMConv3d(8, 16, kernel_size=k, padding=k // 2, bias=False).cuda()
            want = _at_voxels(F.conv3d(dense, conv.weight.permute(0, 4, 1, 2, 3), padding=k // 2), x.indices)
            torch.testing.assert_close(conv(x).features, want, atol=1e-4, rtol=1e-4, msg=f"SubMConv3d k={k}")
        down = spconv.SparseConv3d(8, 16, kernel_size=2, stride=2, bias=False, indice_key="d").cuda()
        coarse = down(x)
        want = F.conv3d(dense, down.weight.permute(0, 4, 1, 2, 3), stride=2)
        torch.testing.assert_close(coarse.dense(), want, atol=1e-4, rtol=1e-4, msg="SparseConv3d")
        up = spconv.SparseInverseConv3d(16, 8, kernel_size=2, bias=False, indice_key="d").cuda()
        fine = up(coarse)
        want = _at_voxels(F.conv_transpose3d(want, up.weight.permute(4, 0, 1, 2, 3), stride=2), x.indices)
        assert torch.equal(fine.indices, x.indices)
        torch.testing.assert_close(fine.features, want, atol=1e-4, rtol=1e-4, msg="SparseInverseConv3d")


def test_cuda_forward_backward(make_voxel_cloud):
    from pointcept.models import build_model

    torch.manual_seed(0)
    model = build_model(dict(type="SpUNet-v1m1", in_channels=6, num_classes=20)).cuda().train()
    data = {k: v.cuda() for k, v in make_voxel_cloud(sizes=(3000, 2000), extent=64).items()}
    out = model(data)
    assert out.shape == (5000, 20) and out.is_cuda and torch.isfinite(out).all()
    out.square().mean().backward()
    no_grad = [n for n, p in model.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()]
    assert not no_grad, f"parameters without a finite gradient: {no_grad}"


def test_cuda_matches_cpu(make_voxel_cloud):
    from pointcept.models import build_model

    torch.manual_seed(0)
    model = build_model(dict(type="SpUNet-v1m1", in_channels=6, num_classes=20)).eval()
    data = make_voxel_cloud(sizes=(1500, 1000), extent=48)
    with torch.no_grad():
        cpu = model(data)
    with torch.no_grad():
        cuda = model.cuda()({k: v.cuda() for k, v in data.items()}).cpu()
    assert _relative_error(cuda, cpu) < 1e-4


_WORKER = textwrap.dedent(
    """
    import sys, torch
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    from pointcept.models import build_model
    from pointcept.models.layers.sparse_backend import BACKEND_NAME
    saved = torch.load(sys.argv[1])
    model = build_model(dict(type="SpUNet-v1m1", in_channels=6, num_classes=20)).cuda()
    model.load_state_dict(saved["state_dict"], strict=True)
    data = {k: v.cuda() for k, v in saved["data"].items()}
    model.eval()
    with torch.no_grad():
        logits = model(data).cpu()
    model.train()
    data["feat"].requires_grad_()
    model(data).square().mean().backward()
    torch.save({"backend": BACKEND_NAME, "logits": logits, "feat_grad": data["feat"].grad.cpu(),
                "weight_grad": model.conv_input[0].weight.grad.cpu()}, sys.argv[2])
    """
)


@pytest.mark.skipif(len(cuda_backends()) < 2, reason="needs both spconv (CUDA build) and spconv_triton")
def test_spconv_and_spconv_triton_agree(tmp_path, make_voxel_cloud):
    from pointcept.models import build_model

    torch.manual_seed(0)
    state_dict = build_model(dict(type="SpUNet-v1m1", in_channels=6, num_classes=20)).state_dict()
    torch.save({"state_dict": state_dict, "data": make_voxel_cloud(sizes=(3000, 2000), extent=64)},
               tmp_path / "in.pt")
    results = {}
    for backend in ("spconv", "spconv_triton"):
        env = dict(os.environ, POINTCEPT_SPCONV_BACKEND=backend)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
        out = tmp_path / f"{backend}.pt"
        run = subprocess.run([sys.executable, "-c", _WORKER, str(tmp_path / "in.pt"), str(out)],
                             capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
        assert run.returncode == 0, f"{backend}: {run.stderr[-3000:]}"
        results[backend] = torch.load(out)
        assert results[backend]["backend"] == backend
    a, b = results["spconv"], results["spconv_triton"]
    assert _relative_error(b["logits"], a["logits"]) < 1e-4
    # gradients run through train-mode BN and atomic scatter-adds (summation order differs): a looser bound
    for key in ("feat_grad", "weight_grad"):
        assert _relative_error(b[key], a[key]) < 1e-3, key
