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


def _history(collapse, epochs, value):
    return {"variant": "x", "epochs": epochs, "num_prototypes": 8, "config": "c.py", "options": [],
            "history": {m: [value] * epochs for m in collapse.MONITORS}}


def test_variants_without_a_run_come_from_an_earlier_csv(collapse, tmp_path, capsys):
    earlier = tmp_path / "earlier.csv"
    columns = ["variant", "epoch", *collapse.MONITORS]
    lines = [",".join(columns)]
    lines += [",".join(["default", str(e)] + ["0.25"] * len(collapse.MONITORS)) for e in (1, 2)]
    lines += [",".join(["neither", str(e)] + ["0.75"] * len(collapse.MONITORS)) for e in (1, 2, 3)]
    earlier.write_text("\n".join(lines) + "\n")
    out = tmp_path / "runs"
    (out / "neither").mkdir(parents=True)  # a new run of neither: it replaces the earlier rows
    (out / "neither" / collapse.HISTORY_FILE).write_text(json.dumps(_history(collapse, 4, 0.5)))
    table = tmp_path / "table.csv"
    collapse.report(str(out), str(table), str(earlier))
    rows = list(csv.DictReader(table.open()))
    assert [(r["variant"], r["epoch"]) for r in rows] == [
        ("default", "1"), ("default", "2"), ("neither", "1"), ("neither", "2"), ("neither", "3"), ("neither", "4")]
    assert {float(r["confidence"]) for r in rows if r["variant"] == "default"} == {0.25}
    assert {float(r["confidence"]) for r in rows if r["variant"] == "neither"} == {0.5}
    assert f"default (merged from {earlier}" in capsys.readouterr().out
    # writing the merged table over the CSV it merged from is safe (read first, replaced whole)
    collapse.report(str(out), str(earlier), str(earlier))
    assert list(csv.DictReader(earlier.open())) == rows


@pytest.mark.parametrize("text, message", [
    ("variant,epoch\ndefault,1\n", "has no column"),
    ("variant,epoch,assign_entropy,prototypes_used,confidence,group_loss,contrast_loss\n"
     "centred,1,0,0,0,0,0\n", "line 2: unknown variant 'centred'"),
    ("variant,epoch,assign_entropy,prototypes_used,confidence,group_loss,contrast_loss\n"
     "default,1,0,0,high,0,0\n", "line 2:"),
])
def test_a_bad_merge_csv_is_refused_naming_the_file(collapse, tmp_path, text, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    with pytest.raises(SystemExit, match=message) as refused:
        collapse.report(str(tmp_path / "runs"), None, str(bad))
    assert str(bad) in str(refused.value)
