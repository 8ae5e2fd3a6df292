"""Transfer benchmark: mean ± std, the TimeBudget hook, method/config errors, and the command end to end
on tiny demo data (result files, pictures, skipping finished runs, redoing only an interrupted one)."""

import csv
import json
import math
import os

import pytest
import torch

from pointcept.benchmark import methods as method_table
from pointcept.benchmark.methods import MethodSpec, detect_backbone_prefix, register_method, resolve_methods
from pointcept.benchmark.plan import Settings, fit_eval_epoch, plan_runs, split_options
from pointcept.benchmark.report import format_mean_std, mean_std
from pointcept.engines.hooks import HOOKS, HookBase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---------------------------------------------------------------------------------------------- aggregation
def test_mean_std_is_sample_std_over_seeds():
    mean, std, n = mean_std([0.5, 0.6, 0.7])
    assert (mean, n) == (pytest.approx(0.6), 3)
    assert std == pytest.approx(0.1)  # ddof = 1
    mean, std, n = mean_std([0.4, float("nan"), None])
    assert (mean, n) == (pytest.approx(0.4), 1) and math.isnan(std)
    assert mean_std([])[2] == 0
    assert format_mean_std(0.6, 0.1, 3) == "0.6000 ± 0.1000"
    assert format_mean_std(0.4, float("nan"), 1) == "0.4000 (n=1)"
    assert format_mean_std(float("nan"), float("nan"), 0) == "n/a"


def test_plan_helpers():
    assert fit_eval_epoch(12, 3) == 3 and fit_eval_epoch(10, 3) == 2 and fit_eval_epoch(1, 6) == 1
    assert fit_eval_epoch(7, 4) == 1
    options = ["batch_size=2", "pretrain:optimizer.lr=0.2", "finetune:epoch=2"]
    assert split_options(options, "pretrain") == ["batch_size=2", "optimizer.lr=0.2"]
    assert split_options(options, "finetune") == ["batch_size=2", "epoch=2"]


def test_backbone_prefix_detection():
    student = [f"student.backbone.conv{i}.weight" for i in range(3)]
    teacher = [f"teacher.backbone.conv{i}.weight" for i in range(3)]
    heads = ["student.projector.weight", "prototypes"]
    prefix, hits, counts = detect_backbone_prefix(teacher + student + heads)
    assert (prefix, hits) == ("student.backbone.", 3)  # a tie never goes to the teacher
    assert counts == {"student.backbone.": 3, "teacher.backbone.": 3}
    assert detect_backbone_prefix(["module.backbone.a", "module.backbone.b", "mask_token"])[0] == "backbone."
    assert detect_backbone_prefix(["x.backbone.a", "x.backbone.b", "backbone.c"])[0] == "x.backbone."
    assert detect_backbone_prefix(student, preferred="student.backbone.")[0] == "student.backbone."
    assert detect_backbone_prefix(["backbone.a"], preferred="student.backbone.")[0] == "backbone."  # fallback
    with pytest.raises(KeyError, match="backbone"):
        detect_backbone_prefix(["encoder.a", "head.b"])


def test_method_errors_name_the_known_methods(tmp_path, monkeypatch):
    with pytest.raises(KeyError, match=r"unknown method 'mae'.*none, pc, csc, msc, gc"):
        resolve_methods(["none", "mae"])
    with pytest.raises(FileNotFoundError, match="pretraining config file not found"):
        resolve_methods([str(tmp_path / "nothing.py")])
    # a registered method whose config has not landed yet fails before anything trains, naming the file
    monkeypatch.setattr(method_table, "METHODS", dict(method_table.METHODS))
    register_method(MethodSpec("fake", "fake method", {"demo": "configs/demo/pretrain-fake-v1m1-0.py"}))
    (tmp_path / "train").mkdir()
    settings = Settings(data_root=str(tmp_path), profile="demo", task="semseg",
                        methods=resolve_methods(["none", "fake"]), seeds=[0], exp_root=str(tmp_path / "exp"))
    with pytest.raises(FileNotFoundError, match="method 'fake'.*pretrain-fake-v1m1-0.py"):
        plan_runs(settings)
    # a config path is a method named by its stem
    path = os.path.join(ROOT, "configs", "demo", "pretrain-groupcontrast-v1m1-0-spunet-base.py")
    (spec,) = resolve_methods([path])
    assert spec.name == "pretrain-groupcontrast-v1m1-0-spunet-base" and spec.config_for("scannet") == path


def test_cli_errors(tmp_path):
    from pointcept.benchmark.cli import main

    with pytest.raises(FileNotFoundError, match="--data-root .* does not exist"):
        main(["--data-root", str(tmp_path / "missing"), "--methods", "none"])
    (tmp_path / "data" / "train").mkdir(parents=True)
    (tmp_path / "data" / "val").mkdir()
    with pytest.raises(FileNotFoundError, match="make_data_efficient_splits"):
        main(["--data-root", str(tmp_path / "data"), "--methods", "none", "--data-efficient", "lr5"])
    with pytest.raises(ValueError, match="lr<percent>"):
        main(["--data-root", str(tmp_path / "data"), "--methods", "none", "--data-efficient", "half"])


# ---------------------------------------------------------------------------------------------- plots
_LABELS = {"none": "from scratch", "pc": "PointContrast", "csc": "CSC", "msc": "Masked Scene Contrast",
           "gc": "GroupContrast"}
#: pretraining losses at the scales the real objectives have (they differ by a factor of three)
_PRETRAIN_LOSS = {"pc": (7.5, 5.5), "csc": (6.3, 5.7), "msc": (9.8, 8.1), "gc": (3.3, 3.1)}


def _fake_runs(methods, seeds=2):
    epochs = [1.0, 2.0, 3.0]
    per_method = {}
    for i, method in enumerate(methods):
        runs = []
        for seed in range(seeds):
            run = {"finetune": {"val/mIoU": (epochs, [0.1 + 0.01 * i, 0.2, 0.3 + 0.01 * seed]),
                                "train/loss": (epochs, [3.0, 2.0, 1.5])}}
            if method in _PRETRAIN_LOSS:
                start, end = _PRETRAIN_LOSS[method]
                run["pretrain"] = {"train/loss": (epochs, [start, (start + end) / 2, end + 0.1 * seed])}
            runs.append(run)
        per_method[method] = runs
    return per_method


def test_learning_curves_one_pretraining_loss_panel_per_method(tmp_path):
    from pointcept.benchmark.plots import learning_curves, pretraining_loss_title

    path = tmp_path / "learning_curves.png"
    fig = learning_curves(str(path), _fake_runs(list(_LABELS)), "val/mIoU", _LABELS, "fake")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    axes = {ax.get_title(): ax for ax in fig.axes}
    pretrain_axes = [title for title in axes if title.startswith("pretraining loss")]
    assert pretrain_axes == [pretraining_loss_title(m, _LABELS) for m in ("pc", "csc", "msc", "gc")]
    assert not any("none" in title for title in pretrain_axes)  # no pretraining, no loss panel
    for method in ("pc", "csc", "msc", "gc"):
        ax = axes[pretraining_loss_title(method, _LABELS)]
        (line,) = ax.get_lines()  # this method's loss alone on its own axis
        start, end = _PRETRAIN_LOSS[method]
        assert list(line.get_ydata()) == pytest.approx([start, (start + end) / 2, end + 0.05])
        low, high = ax.get_ylim()
        assert low < end and high > start and high - low < 3  # scaled to this method's values only
    # fine-tuning curves stay on shared, comparable axes: one line per method, every method present
    for title in ("fine-tuning: val/mIoU", "fine-tuning: train loss"):
        assert len(axes[title].get_lines()) == len(_LABELS), title
    assert len(fig.axes) == 2 + 4


def test_learning_curves_without_pretraining_methods_has_no_loss_panel(tmp_path):
    from pointcept.benchmark.plots import learning_curves

    fig = learning_curves(str(tmp_path / "lc.png"), _fake_runs(["none"]), "val/mIoU", _LABELS, "fake")
    assert [ax.get_title() for ax in fig.axes] == ["fine-tuning: val/mIoU", "fine-tuning: train loss"]
    assert (tmp_path / "lc.png").stat().st_size > 0


# ---------------------------------------------------------------------------------------------- the hook
@HOOKS.register_module(force=True)
class EventCounter(HookBase):
    """Counts epoch ends that reached the hooks, and whether after_train still ran."""

    def __init__(self):
        self.after_epochs = 0
        self.after_train_calls = 0

    def after_epoch(self):
        self.after_epochs += 1

    def after_train(self):
        self.after_train_calls += 1


def _counter(trainer):
    for hook in trainer.hooks:
        inner = getattr(hook, "hook", hook)
        if isinstance(inner, EventCounter):
            return inner
    raise AssertionError("no EventCounter")


def test_time_budget_stops_cleanly_and_survives_resume(tiny_root, tmp_path, make_config, train_config):
    # 4 rounds of 2 steps; a budget that is spent after the first step
    hooks = ["CheckpointLoader", "IterationTimer", "InformationWriter", "SemSegEvaluator", "CheckpointSaver",
             "EventCounter"]
    cfg = make_config(tiny_root, tmp_path / "run", batch_size=2, epoch=4, eval_epoch=4)
    cfg.hooks = [dict(type=h) for h in hooks] + [dict(type="TimeBudget", minutes=1e-9)]
    trainer = train_config(cfg)
    assert trainer.finished_cleanly  # so PreciseEvaluator would test the model
    assert trainer.global_iter == 1  # the running round ended right after the step that spent the budget
    counter = _counter(trainer)
    assert counter.after_epochs == 1 and counter.after_train_calls == 1  # one evaluation, none for empty rounds
    info = trainer.comm_info["time_budget"]
    assert info["stopped_by_budget"] and info["steps"] == 1 and info["max_steps"] == 8
    assert info["stopped_at"] == {"epoch": 1, "iter": 1, "global_iter": 1}
    assert torch.load(tmp_path / "run" / "model" / "model_last.pth", weights_only=False)["epoch"] == 1

    # resuming a spent run trains nothing more, and the schedule stays the configured 8 steps
    cfg = make_config(tiny_root, tmp_path / "run", batch_size=2, epoch=4, eval_epoch=4, resume=True)
    cfg.hooks = [dict(type=h) for h in hooks] + [dict(type="TimeBudget", minutes=1e-9)]
    resumed = train_config(cfg)
    assert resumed.global_iter == 1 and resumed.finished_cleanly
    assert resumed.comm_info["time_budget"]["stopped_by_budget"]
    assert resumed.scheduler.total_steps == 8


def test_time_budget_without_minutes_only_records(tiny_root, tmp_path, make_config, train_config):
    cfg = make_config(tiny_root, tmp_path / "run", batch_size=2, epoch=2, eval_epoch=2)
    cfg.hooks = list(cfg.hooks) + [dict(type="TimeBudget", minutes=None)]
    trainer = train_config(cfg)
    info = trainer.comm_info["time_budget"]
    assert info["steps"] == info["max_steps"] == 4 and not info["stopped_by_budget"]
    assert info["elapsed_seconds"] > 0


# ---------------------------------------------------------------------------------------------- end to end
def _mtimes(paths):
    return {p: os.stat(p).st_mtime_ns for p in paths}


def test_benchmark_on_demo_data_resumes_without_redoing_runs(tmp_path):
    from pointcept.benchmark.cli import main
    from pointcept.datasets.demo import write_demo_dataset

    data = tmp_path / "data"
    write_demo_dataset(data, num_train=2, num_val=1)
    exp = tmp_path / "exp"
    gc_config = os.path.join(ROOT, "configs", "demo", "pretrain-groupcontrast-v1m1-0-spunet-base.py")
    argv = ["--profile", "demo", "--data-root", str(data), "--methods", "none", "gc", gc_config,
            "--seeds", "0", "--budget-epochs", "1", "--exp-root", str(exp), "--options", "batch_size=2"]
    records = main(argv)
    path_method = "pretrain-groupcontrast-v1m1-0-spunet-base"
    assert [r["method"] for r in records] == ["none", "gc", path_method]
    assert not any(r["skipped"] for r in records)
    for name in ("results.md", "results.csv", "bar_chart.png", "learning_curves.png"):
        assert (exp / name).stat().st_size > 0, name
    for name in ("bar_chart.png", "learning_curves.png"):
        assert (exp / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (exp / "results.md").read_text()
    for text in ("| none (from scratch) | 1 |", "| gc (GroupContrast) | 1 |", f"| {path_method} (", "mIoU",
                 "1 epoch per stage", "git commit", "--budget-epochs 1", "student.backbone."):
        assert text in md, text
    rows = list(csv.DictReader((exp / "results.csv").open()))
    runs = [r for r in rows if r["kind"] == "run"]
    assert {(r["method"], r["metric"]) for r in runs} >= {("none", "mIoU"), ("gc", "mIoU"), (path_method, "mIoU")}
    assert all(0.0 <= float(r["value"]) <= 1.0 for r in runs if r["metric"] == "mIoU")
    assert {r["method"] for r in rows if r["kind"] == "summary"} == {"none", "gc", path_method}
    # the config-path method had no fixed prefix: it was detected from the checkpoint keys
    assert records[2]["backbone_mapping"]["prefix"] == "student.backbone."
    assert records[1]["pretrain"]["time_budget"]["steps"] == 1

    markers = {m: exp / m / "seed0" / "run.json" for m in ("none", "gc", path_method)}
    logs = [exp / m / "seed0" / "finetune" / "train.log" for m in markers] + [exp / "gc" / "seed0" / "pretrain" / "train.log"]
    before = _mtimes(list(markers.values()) + logs)

    # second invocation: everything is finished, nothing trains
    again = main(argv)
    assert all(r["skipped"] for r in again)
    assert _mtimes(list(markers.values()) + logs) == before
    log = (exp / "benchmark.log").read_text()
    assert log.count("skip gc seed 0: finished") == 1

    # an interrupted run (no completion marker): only that run is picked up again, from its checkpoints
    markers["gc"].unlink()
    third = main(argv)
    assert [r["skipped"] for r in third] == [True, False, True]
    assert markers["gc"].is_file()
    after = _mtimes(list(markers.values()) + logs)
    for path in (markers["none"], markers[path_method], logs[0], logs[2]):
        assert after[path] == before[path], path
    log = (exp / "benchmark.log").read_text()
    assert "skip pretraining of gc seed 0: finished" in log
    assert "resume fine-tuning of gc seed 0" in log

    # markers written before fa684b7 carry another form of the config hashes: recognised by re-hashing the
    # config.py each stage saved, so nothing reruns; a changed saved config is still refused
    stage = exp / "gc" / "seed0" / "pretrain" / "stage.json"
    for path in (markers["gc"], stage):
        content = json.loads(path.read_text())
        content["fingerprint"].update(finetune_hash="0123456789ab", pretrain_hash="ba9876543210")
        path.write_text(json.dumps(content))
    assert all(r["skipped"] for r in main(argv))
    markers["gc"].unlink()  # the pretraining's old-form stage.json is reused too
    assert [r["skipped"] for r in main(argv)] == [True, False, True]
    assert "skip pretraining of gc seed 0: finished" in (exp / "benchmark.log").read_text().split("run 2/3")[-1]
    content = json.loads(markers["gc"].read_text())
    content["fingerprint"]["finetune_hash"] = "0123456789ab"
    markers["gc"].write_text(json.dumps(content))
    saved = exp / "gc" / "seed0" / "finetune" / "config.py"
    original = saved.read_text()
    saved.write_text(original + "\nepoch = 99\n")
    with pytest.raises(RuntimeError, match="finetune_hash: finished run has '0123456789ab'"):
        main(argv)
    saved.write_text(original)

    # --report-only with a seed that never ran: nothing trains, the finished runs are reported, the rest named
    before = _mtimes(list(markers.values()) + logs)
    seeds = argv.index("--seeds") + 1
    partial = argv[:seeds] + ["0", "1"] + argv[seeds + 1:] + ["--report-only"]
    reported = main(partial)
    assert [(r["method"], r["seed"]) for r in reported] == [("none", 0), ("gc", 0), (path_method, 0)]
    assert _mtimes(list(markers.values()) + logs) == before
    assert not (exp / "none" / "seed1").exists() and not (exp / "gc" / "seed1").exists()
    md = (exp / "results.md").read_text()
    assert "(3 of 6 runs finished)" in md
    assert f"Not finished, so not in the table: none seed 1, gc seed 1, {path_method} seed 1." in md
    head = json.loads((exp / "gc" / "seed0" / "finetune" / "code" / "git.json").read_text())["commit"][:12]
    assert f"runs made at `{head}" in md
    with pytest.raises(FileNotFoundError, match="none of the 3 runs"):
        main(argv[:seeds] + ["7"] + argv[seeds + 1:] + ["--report-only"])

    _check_merge_runs(main, argv, exp, tmp_path, path_method, head)

    # other settings in the same folder are refused instead of mixed in, by a report too
    with pytest.raises(RuntimeError, match="budget_epochs"):
        main([a if a != "1" else "2" for a in argv] + ["--report-only"])
    with pytest.raises(RuntimeError, match="budget_epochs"):
        main([a if a != "1" else "2" for a in argv])


def _replace_arg(argv, flag, *values):
    """``argv`` with the values of ``flag`` (up to the next ``--`` option) replaced by ``values``."""
    i = argv.index(flag)
    end = next((j for j in range(i + 1, len(argv)) if argv[j].startswith("--")), len(argv))
    return argv[:i + 1] + list(values) + argv[end:]


def _check_merge_runs(main, argv, exp, tmp_path, path_method, head):
    """runs.json of one report finishes the grid of another exp-root: merged runs never retrain, are
    checked against the command's settings, and appear in the other report with their source."""
    from pointcept.benchmark.runner import SettingsMismatch

    runs_file = exp / "runs.json"
    document = json.loads(runs_file.read_text())
    assert document["format"] == "pointcept-benchmark-runs/1"
    assert [(r["method"], r["seed"]) for r in document["runs"]] == [("none", 0), ("gc", 0), (path_method, 0)]
    gc = document["runs"][1]
    assert gc["commit"].startswith(head) and gc["curves"]["pretrain"]["train/loss"]
    assert gc["fingerprint"]["finetune_hash"] != "0123456789ab"  # the old-form hash, re-checked, is not passed on

    elsewhere = tmp_path / "elsewhere"
    merged_argv = _replace_arg(argv, "--exp-root", str(elsewhere)) + ["--merge-runs", str(runs_file)]
    records = main(merged_argv)  # training mode: every planned run is merged, nothing trains
    assert [r["merged_from"] for r in records] == [str(runs_file)] * 3
    assert not any((elsewhere / m).exists() for m in ("none", "gc", path_method))
    assert (elsewhere / "learning_curves.png").stat().st_size > 0
    assert "skip gc seed 0: merged from" in (elsewhere / "benchmark.log").read_text()
    md = (elsewhere / "results.md").read_text()
    assert "3 of these runs were made elsewhere and merged" in md and str(runs_file) in md
    assert f"runs made at `{head}" in md
    table = lambda text: [line for line in text.splitlines() if line.startswith("| gc (")]  # noqa: E731
    assert table(md) == table((exp / "results.md").read_text())
    again = json.loads((elsewhere / "runs.json").read_text())["runs"]
    assert [r["metrics"] for r in again] == [r["metrics"] for r in document["runs"]]

    # a grid larger than the merged file: the rest is listed as not finished (and would be trained)
    main(_replace_arg(merged_argv, "--seeds", "0", "1") + ["--report-only"])
    md = (elsewhere / "results.md").read_text()
    assert "(3 of 6 runs finished)" in md and "Not finished, so not in the table: none seed 1" in md

    # runs this command does not plan are left out, and said so
    main(_replace_arg(merged_argv, "--methods", "none", "gc") + ["--report-only"])
    assert f"not part of this command, left out: {path_method} seed 0" in (elsewhere / "benchmark.log").read_text()

    # a run finished in --exp-root takes precedence over the same run merged
    main(argv + ["--report-only", "--merge-runs", str(runs_file)])
    assert "gc seed 0: finished in" in (exp / "benchmark.log").read_text()

    # refused: other settings (naming the file and run), the same run twice, a file that is not a runs.json
    changed = json.loads(runs_file.read_text())
    changed["runs"][1]["fingerprint"]["pretrain_hash"] = "ba9876543210"
    bad = tmp_path / "bad_runs.json"
    bad.write_text(json.dumps(changed))
    with pytest.raises(SettingsMismatch, match=r"bad_runs.json \(gc seed 0\) was made with other settings "
                                               r"\(pretrain_hash: finished run has 'ba9876543210'"):
        main(_replace_arg(merged_argv, "--merge-runs", str(bad)))
    with pytest.raises(ValueError, match="none seed 0 is in both"):
        main(merged_argv + [str(runs_file)])
    (tmp_path / "results.json").write_text(json.dumps({"runs": []}))
    with pytest.raises(ValueError, match="has format None, expected 'pointcept-benchmark-runs/1'"):
        main(_replace_arg(merged_argv, "--merge-runs", str(tmp_path / "results.json")))
    with pytest.raises(ValueError, match="is not JSON"):
        main(_replace_arg(merged_argv, "--merge-runs", str(exp / "results.csv")))


def test_colour_only_baselines_say_their_stem_is_not_loaded_on_full_scannet():
    """Pointcept's PC / CSC pretrain on 3 input channels; the 6-channel full-ScanNet fine-tune must allow
    exactly the stem to stay unloaded (the loader refuses any other partial backbone)."""
    from pointcept.benchmark.methods import resolve_method
    from pointcept.utils.config import Config

    for name in ("pc", "csc"):
        options = resolve_method(name).finetune_options_for("scannet")
        cfg = Config(dict(weight_allow_partial=False))
        cfg.merge_from_options(options)
        assert cfg.weight_allow_partial == ["backbone.conv_input."]
        assert resolve_method(name).finetune_options_for("scannet-real-cpu") == []
    assert resolve_method("gc").finetune_options_for("scannet") == []


def test_config_hash_ignores_key_order():
    from pointcept.benchmark.plan import config_hash
    from pointcept.utils.config import Config

    a = Config(dict(model=dict(type="X", depth=2, width=3), epoch=4, seed=1))
    b = Config(dict(epoch=4, model=dict(width=3, type="X", depth=2), seed=2))
    assert config_hash(a) == config_hash(b)
    assert config_hash(a) != config_hash(Config(dict(model=dict(type="X", depth=2, width=4), epoch=4)))


def test_runs_rebuilt_from_an_older_results_csv_merge_without_training(tmp_path):
    """tools/benchmarks/runs_from_results_csv.py: an old report's csv becomes a runs.json that
    --merge-runs takes; the report says which runs were rebuilt, and nothing trains."""
    import importlib.util

    from pointcept.benchmark.cli import main
    from pointcept.datasets.demo import write_demo_dataset

    spec = importlib.util.spec_from_file_location(
        "runs_from_results_csv", os.path.join(ROOT, "tools", "benchmarks", "runs_from_results_csv.py"))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)

    data = tmp_path / "data"
    write_demo_dataset(data, num_train=2, num_val=1)
    exp = tmp_path / "exp"
    argv = ["--profile", "demo", "--data-root", str(data), "--methods", "none", "gc", "--seeds", "0", "1",
            "--budget-epochs", "1", "--exp-root", str(exp)]
    old_csv = tmp_path / "results.csv"
    old_csv.write_text("kind,method,seed,metric,value,mean,std,n\n"
                       "run,none,0,mIoU,0.25,,,\nrun,gc,0,mIoU,0.5,,,\nrun,gc,1,mIoU,0.25,,,\n"
                       "summary,gc,,mIoU,,0.375,0.17,2\n")
    out = tmp_path / "runs-old.json"
    tool.main(["--results-csv", str(old_csv), "--commit", "abc123", "--out", str(out), "--", *argv])
    records = json.loads(out.read_text())["runs"]
    assert [(r["method"], r["seed"], r["metrics"]) for r in records] == [
        ("none", 0, {"mIoU": 0.25}), ("gc", 0, {"mIoU": 0.5}), ("gc", 1, {"mIoU": 0.25})]
    assert all("rebuilt" in r and r["commit"] == "abc123" for r in records)

    reported = main(argv + ["--report-only", "--merge-runs", str(out)])
    assert len(reported) == 3 and not exp.joinpath("gc").exists()
    md = (exp / "results.md").read_text()
    assert "| gc (GroupContrast) | 2 | 0.3750 ± 0.1768 |" in md
    assert "Not finished, so not in the table: none seed 1." in md
    assert "Rebuilt from an older report's results.csv" in md and "runs made at `abc123`" in md
    assert "— (not recorded)" in md

    # a csv with a run the command does not plan, or not a results.csv at all: refused, naming the file
    old_csv.write_text(old_csv.read_text() + "run,msc,0,mIoU,0.1,,,\n")
    with pytest.raises(ValueError, match="does not plan: msc seed 0"):
        tool.main(["--results-csv", str(old_csv), "--commit", "abc", "--out", str(out), "--", *argv])
    old_csv.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a benchmark results.csv"):
        tool.main(["--results-csv", str(old_csv), "--commit", "abc", "--out", str(out), "--", *argv])
