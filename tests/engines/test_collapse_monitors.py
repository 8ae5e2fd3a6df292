"""The report of ``tools/benchmarks/collapse_monitors.py``: finished variants from ``monitors.json``, a run
that stopped early from its ``train.log`` (marked UNFINISHED, with the real epoch numbers)."""

import csv
import importlib
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, "tools", "benchmarks")


@pytest.fixture
def collapse(monkeypatch):
    monkeypatch.syspath_prepend(TOOLS)
    return importlib.import_module("collapse_monitors")


def _line(epoch, step, entropy, used, conf):
    return (f"[12/02 01:50:04 INFO] Train: [{epoch}/100][{step}/6] loss: 0.06 group_loss: 0.5 contrast_loss: 0.25 "
            f"assign_entropy: {entropy} prototypes_used: {used} confidence: {conf} num_pairs: 4096.0000 "
            f"lr: 0.01962 data: 1.316s batch: 9.787s ETA: 0:16:45\n")


def test_unfinished_run_is_read_from_its_log(collapse, tmp_path, capsys):
    default = tmp_path / "default"
    default.mkdir()
    history = {m: [0.5, 0.7, 0.9, 1.1] for m in collapse.MONITORS}
    (default / collapse.HISTORY_FILE).write_text(json.dumps({
        "variant": "default", "epochs": 2, "num_prototypes": 8, "config": "c.py", "options": [],
        "history": history}))
    stopped = tmp_path / "no-centering"
    stopped.mkdir()
    # epoch 2 has no logged line: the rows keep the log's epoch numbers, not a re-count
    (stopped / "train.log").write_text(_line(1, 2, 0.4, 3.0, 0.6) + _line(1, 6, 0.2, 1.0, 0.8)
                                       + "some other line\n" + _line(3, 4, 0.01, 1.0, 0.99))
    out_csv = tmp_path / "table.csv"
    collapse.report(str(tmp_path), str(out_csv))
    printed = capsys.readouterr().out
    assert "no-centering (UNFINISHED run, stopped in epoch 3" in printed
    rows = list(csv.DictReader(out_csv.open()))
    assert [(r["variant"], r["epoch"]) for r in rows] == [
        ("default", "1"), ("default", "2"), ("no-centering", "1"), ("no-centering", "3")]
    assert float(rows[0]["assign_entropy"]) == pytest.approx(0.6)
    assert float(rows[2]["assign_entropy"]) == pytest.approx(0.3)
    assert float(rows[2]["prototypes_used"]) == pytest.approx(2.0)
    assert float(rows[3]["confidence"]) == pytest.approx(0.99)
    assert float(rows[3]["contrast_loss"]) == pytest.approx(0.25)


def test_report_without_any_run_says_so(collapse, tmp_path):
    with pytest.raises(SystemExit, match="run the variants first"):
        collapse.report(str(tmp_path), None)
