"""The README's main job, shrunk: demo data -> GroupContrast pretraining -> fine-tune and scratch -> table."""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAIN_ROWS = ("semseg mIoU, untrained model", "semseg mIoU, fine-tuned from GroupContrast",
             "semseg mIoU, trained from scratch", "insseg AP50, fine-tuned from GroupContrast",
             "insseg AP50, trained from scratch")
DETECTION_ROWS = ("detection mAP@0.25, fine-tuned from GroupContrast", "detection mAP@0.5, trained from scratch")


def run_demo(tmp_path, *extra):
    out = subprocess.run(
        [sys.executable, "tools/demo.py", "--quick", "--num-train", "2", "--num-val", "1",
         "--data-root", str(tmp_path / "data"), "--exp-root", str(tmp_path / "exp"), *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    text = out.stdout + out.stderr
    return {m.group(1).strip(): float(m.group(2)) for m in re.finditer(r"^\s+(\S.*?)\s+(-?\d+\.\d{4})$", text, re.M)}


def test_demo_runs_end_to_end_and_repeats_its_table(tmp_path):
    table = run_demo(tmp_path)
    assert set(MAIN_ROWS) <= set(table), table
    assert not any(row.startswith("detection") for row in table)  # VoteNet is its own command
    assert (tmp_path / "exp" / "pretrain-groupcontrast" / "model" / "model_last.pth").is_file()
    log = (tmp_path / "exp" / "semseg-ft-groupcontrast" / "train.log").read_text()
    assert "missing in checkpoint (2): backbone.final.weight, backbone.final.bias" in log

    again = run_demo(tmp_path, "--with-detection")
    assert set(DETECTION_ROWS) <= set(again)
    assert {row: again[row] for row in MAIN_ROWS} == {row: table[row] for row in MAIN_ROWS}  # same seeds, same table
