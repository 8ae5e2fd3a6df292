"""The README's main job, shrunk: demo data -> GroupContrast pretraining -> fine-tune and scratch -> table."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_demo_runs_end_to_end(tmp_path):
    out = subprocess.run(
        [sys.executable, "tools/demo.py", "--quick", "--num-train", "2", "--num-val", "1",
         "--data-root", str(tmp_path / "data"), "--exp-root", str(tmp_path / "exp")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    for line in ("semseg mIoU, untrained model", "semseg mIoU, fine-tuned from GroupContrast",
                 "semseg mIoU, trained from scratch", "insseg AP50, fine-tuned from GroupContrast",
                 "insseg AP50, trained from scratch", "detection mAP@0.25, fine-tuned from GroupContrast",
                 "detection mAP@0.5, trained from scratch"):
        assert line in out.stdout
    assert (tmp_path / "exp" / "pretrain-groupcontrast" / "model" / "model_last.pth").is_file()
    log = (tmp_path / "exp" / "semseg-ft-groupcontrast" / "train.log").read_text()
    assert "missing in checkpoint (2): backbone.final.weight, backbone.final.bias" in log
