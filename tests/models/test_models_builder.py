"""``build_model``: the public entry point, and what it says when the sparse backend is missing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pointcept.models as models
from pointcept.models import MODELS, build_model

REPO = Path(__file__).resolve().parents[2]


def test_build_model_leaves_the_config_unchanged():
    channels = [32, 64, 128, 256, 256, 128, 96, 96]
    cfg = dict(type="SpUNet-v1m1", in_channels=6, num_classes=20, channels=channels)
    snapshot = {k: (list(v) if isinstance(v, list) else v) for k, v in cfg.items()}
    model = build_model(cfg)
    assert cfg == snapshot
    assert model.out_channels == 20 and "SpUNet-v1m1" in MODELS


def test_unknown_name_still_suggests_close_matches():
    with pytest.raises(KeyError, match="SpUNet-v1m1"):
        build_model(dict(type="SpUnet-v1m1", in_channels=6, num_classes=20))


def test_missing_sparse_backend_is_reported_at_build_time():
    """Without spconv and spconv-triton, ``import pointcept.models`` works; building SpUNet names the fix."""
    script = textwrap.dedent(
        """
        import sys
        for name in ("spconv", "spconv_triton"):
            sys.modules[name] = None  # make both backends unimportable
        import pointcept.models as models
        assert "SpUNet-v1m1" not in models.MODELS, models.MODELS
        assert "PointMLP-debug" in models.MODELS
        try:
            models.build_model(dict(type="SpUNet-v1m1", in_channels=6, num_classes=20))
        except models.ModelUnavailableError as error:
            assert isinstance(error, ImportError)
            print(error)
        else:
            raise SystemExit("SpUNet-v1m1 was built without a backend")
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "POINTCEPT_SPCONV_BACKEND"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    message = result.stdout
    assert "'SpUNet-v1m1'" in message and "sparse_unet" in message
    assert "install `spconv`" in message and "spconv-triton" in message


def test_import_bugs_are_not_mistaken_for_a_missing_backend():
    assert models._is_missing_backend(ModuleNotFoundError("No module named 'spconv'", name="spconv"))
    assert models._is_missing_backend(ModuleNotFoundError("x", name="spconv_triton.pytorch"))
    assert not models._is_missing_backend(ModuleNotFoundError("x", name="torch_scatter"))
    assert not models._is_missing_backend(ImportError("cannot import name 'offset2batchh'"))
