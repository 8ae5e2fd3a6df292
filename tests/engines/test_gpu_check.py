"""``scripts/gpu_check.sh`` where there is no GPU (a dry run that lists its four steps and exits 0) and the
measurement helper of ``tools/benchmarks/gpu_check.py`` on the CPU: step-time medians after the warm-up
steps, memory ``n/a``, figures merged over DDP ranks, and the summary block."""

import json
import os
import statistics
import subprocess
import sys

import pytest
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "gpu_check.sh")
TOOLS = os.path.join(ROOT, "tools", "benchmarks")


@pytest.fixture
def gpu_check(monkeypatch):
    """The module as the script runs it (importable as ``gpu_check``, so spawned DDP workers find it)."""
    import importlib

    monkeypatch.syspath_prepend(TOOLS)
    return importlib.import_module("gpu_check")


def _no_gpu_env(tmp_path):
    return dict(os.environ, CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1", GPU_CHECK_OUT=str(tmp_path / "out"),
                PYTHON=sys.executable)


@pytest.mark.parametrize("flags", [[], ["--dry-run"]])
def test_script_without_gpu_lists_the_four_steps_and_exits_0(tmp_path, flags):
    run = subprocess.run(["bash", SCRIPT, *flags], capture_output=True, text=True, env=_no_gpu_env(tmp_path),
                         cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "dry run" in out and "nothing is run" in out
    lines = out.splitlines()
    commands = {}
    for i in range(1, 5):
        (index,) = [n for n, line in enumerate(lines) if line.startswith(f"[{i}/4]")]
        commands[i] = lines[index + 1].strip()  # the exact command follows its step
    junit = tmp_path / "out" / "pytest_gpu.xml"
    assert commands[1].endswith(f"-m pytest -m gpu -q -rs --junitxml={junit}")
    assert "tools/benchmarks/gpu_check.py parity" in commands[2]
    assert "tools/benchmarks/gpu_check.py amp" in commands[3]
    for text in ("gpu_check.py train --config-file configs/scannet/pretrain-groupcontrast-v1m1-3-real-cpu.py",
                 "--num-gpus 1", "--warmup 2", "enable_amp=True",
                 "data.train.data_root=../shared/data/scannet-real"):
        assert text in commands[4], text
    assert os.path.isfile(os.path.join(ROOT, "configs/scannet/pretrain-groupcontrast-v1m1-3-real-cpu.py"))
    assert "gpu_check.py summary --out-dir" in out
    assert not (tmp_path / "out").exists()  # printed, not run


def test_script_rejects_unknown_arguments(tmp_path):
    run = subprocess.run(["bash", SCRIPT, "--bogus"], capture_output=True, text=True,
                         env=_no_gpu_env(tmp_path), timeout=60)
    assert run.returncode == 2 and "usage" in run.stderr


def test_measurement_on_cpu_excludes_warmup_and_reports_memory_na(gpu_check, tiny_root, tmp_path,
                                                                   make_config):
    # 4 scenes, batch 1: 4 steps, the first 2 are warm-up; enable_amp is ignored on the CPU
    cfg = make_config(tiny_root, tmp_path / "run", batch_size=1, epoch=1, eval_epoch=1, evaluate=False,
                      enable_amp=True)
    figures = gpu_check.run_measured(cfg, num_gpus=1, warmup=2)
    assert (figures["world_size"], figures["steps_total"], figures["steps_measured"]) == (1, 4, 2)
    times = figures["per_rank"][0]["step_times_s"]
    assert len(times) == 4 and all(t > 0 for t in times)
    assert figures["step_time_median_s"] == pytest.approx(statistics.median(times[2:]), abs=1e-5)
    assert figures["iter_time_median_s"] >= figures["step_time_median_s"] * 0.5
    assert figures["peak_memory_bytes"] is None and figures["amp_enabled"] is False and figures["loss_finite"]
    assert figures["forward_dtypes"].get("float32", 0) > 0 and not figures["autocast_seen"]
    line = gpu_check.format_run(figures)
    assert "4 steps (2 after 2 warm-up)" in line and "peak GPU memory n/a" in line and "AMP off" in line
    assert (tmp_path / "run" / "gpu_check" / "rank0.json").is_file()


def test_two_step_run_has_no_step_after_warmup(gpu_check, tiny_root, tmp_path, make_config):
    cfg = make_config(tiny_root, tmp_path / "run", batch_size=2, epoch=1, eval_epoch=1, evaluate=False)
    figures = gpu_check.run_measured(cfg, num_gpus=1, warmup=2)
    assert (figures["steps_total"], figures["steps_measured"]) == (2, 0)
    assert figures["step_time_median_s"] is None and figures["iter_time_median_s"] is None
    assert "median step n/a" in gpu_check.format_run(figures)
    figures = gpu_check.run_measured(cfg, num_gpus=1, warmup=0)  # a second run: no stale figures mixed in
    assert (figures["steps_total"], figures["steps_measured"]) == (2, 2) and figures["step_time_median_s"] > 0


def test_train_subcommand_two_cpu_ranks(tiny_root, tmp_path, make_config):
    """tools/train.py's flags with --num-gpus 2 (gloo on the CPU): both ranks report, --steps sets the run."""
    make_config(tiny_root, tmp_path / "unused", evaluate=False).dump(tmp_path / "cfg.py")
    out = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, os.path.join(TOOLS, "gpu_check.py"), "train",
         "--config-file", str(tmp_path / "cfg.py"), "--num-gpus", "2", "--steps", "4", "--out", str(out),
         "--options", f"save_path={tmp_path / 'run'}", "batch_size=2"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["world_size"] == 2 and sorted(f["rank"] for f in figures["per_rank"]) == [0, 1]
    # 4 scenes looped to 8 samples, 1 per rank per step: 4 steps on each rank
    assert [f["steps_total"] for f in figures["per_rank"]] == [4, 4]
    assert figures["steps_measured"] == 2 and figures["peak_memory_bytes"] is None
    assert "2 ranks on cpu" in run.stdout and "peak GPU memory n/a" in run.stdout


def test_summary_prints_every_figure(gpu_check, tmp_path):
    (tmp_path / "steps.tsv").write_text("1\tpassed\t40\n2\tskipped\t5\n3\tpassed\t30\n4\tfailed\t90\n")
    (tmp_path / "pytest_gpu.xml").write_text(
        '<testsuites><testsuite tests="7" failures="1" errors="0" skipped="2" time="12.5">'
        '<testcase name="test_a"/><testcase name="test_b"><failure message="x"/></testcase>'
        '</testsuite></testsuites>')
    skipped = {"status": "skipped", "reason": "needs both spconv and x"}
    (tmp_path / "parity.json").write_text(json.dumps(skipped))
    run = {"world_size": 2, "device_name": "GPU-X", "batch_size_per_rank": 4, "steps_total": 12,
           "steps_measured": 10, "warmup_steps": 2, "step_time_median_s": 0.25, "iter_time_median_s": 0.5,
           "peak_memory_bytes": 3 * 2**30, "amp_enabled": True, "amp_dtype": "float16", "autocast_seen": True,
           "forward_dtypes": {"float16": 9}, "grad_scale_start": 65536.0, "grad_scale_end": 32768.0,
           "loss_finite": True, "last_loss": 3.5}
    (tmp_path / "pretrain.json").write_text(json.dumps(run))
    amp = {**run, "world_size": 1, "amp_ok": True, "peak_memory_bytes": 5 * 2**20, "step_time_median_s": 0.05}
    (tmp_path / "amp.json").write_text(json.dumps(amp))
    text = gpu_check.summary(str(tmp_path))
    for figure in ("4 passed, 1 failed, 2 skipped in 12.5 s", "(failed: test_b)", "needs both spconv",
                   "median step 0.250 s", "median iteration incl. data 0.500 s", "3.00 GiB (max over ranks)",
                   "2 ranks on GPU-X", "amp_ok True", "5.0 MiB", "median step 0.050 s",
                   "GradScaler scale 65536.0 -> 32768.0", "FAILED steps 4", "SKIPPED", "90 s"):
        assert figure in text, figure
    parity = {"status": "passed", "relative_errors": {"logits": 2e-6, "feat_grad": 3e-5, "weight_grad": 4e-5},
              "bounds": gpu_check.PARITY_BOUNDS, "forward_median_s": {"spconv": 0.01, "spconv_triton": 0.02}}
    (tmp_path / "parity.json").write_text(json.dumps(parity))
    text = gpu_check.summary(str(tmp_path))
    assert "logits 2.00e-06 (< 1e-04)" in text and "spconv_triton 20.0 ms" in text


@pytest.mark.skipif(torch.cuda.is_available(), reason="with CUDA the parity check runs for real")
def test_parity_is_skipped_without_cuda(gpu_check):
    result = gpu_check.parity_check()
    assert result["status"] == "skipped" and result["reason"]
