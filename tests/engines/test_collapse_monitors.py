"""The report of ``tools/benchmarks/collapse_monitors.py``: finished variants from ``monitors.json``, a run
that stopped early from its tensorboard events (marked UNFINISHED, with the real epoch numbers)."""

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


def _write_rounds(run_dir, rounds):
    """What the trainer's logging hook writes after each round: ``train/<key>`` = the round's mean."""
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(str(run_dir))
    for step, values in rounds.items():
        for key, value in values.items():
            writer.add_scalar(f"train/{key}", value, step)
    writer.close()


def test_unfinished_run_is_read_from_its_events(collapse, tmp_path, capsys):
    default = tmp_path / "default"
    default.mkdir()
    history = {m: [0.5, 0.7, 0.9, 1.1] for m in collapse.MONITORS}
    (default / collapse.HISTORY_FILE).write_text(json.dumps({
        "variant": "default", "epochs": 2, "num_prototypes": 8, "config": "c.py", "options": [],
        "history": history}))
    stopped = tmp_path / "no-centering"
    stopped.mkdir()
    # epoch 2 has no record: the rows keep the events' epoch numbers, not a re-count; a round whose monitors
    # are incomplete (the run was killed while writing) is left out
    monitors = dict(group_loss=0.5, contrast_loss=0.25)
    _write_rounds(stopped, {1: dict(monitors, assign_entropy=0.3, prototypes_used=2.0, confidence=0.7),
                            3: dict(monitors, assign_entropy=0.01, prototypes_used=1.0, confidence=0.99),
                            4: dict(assign_entropy=0.009)})
    out_csv = tmp_path / "table.csv"
    collapse.report(str(tmp_path), str(out_csv))
    printed = capsys.readouterr().out
    assert "no-centering (UNFINISHED run, stopped after epoch 3" in printed
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
