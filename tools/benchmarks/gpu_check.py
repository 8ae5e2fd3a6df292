"""The Python half of ``scripts/gpu_check.sh``: measured training runs, the backend parity check, the summary.

Subcommands (each writes its figures as JSON to ``--out``; ``summary`` prints them all):

* ``train``  -- ``tools/train.py``'s command line and launch path (same flags, ``launch``, ``default_setup``,
  ``build_trainer``, DDP with ``--num-gpus N``) with a :class:`StepProbe` hook on every rank: per-step time
  of ``run_step`` (CUDA-synchronised), median over the steps after ``--warmup``, and peak GPU memory
  (``torch.cuda.max_memory_allocated``; ``n/a`` on the CPU). ``--steps N`` sets one round of at least N
  steps (``eval_epoch=1``; ``epoch`` = the whole passes over the data that takes).
* ``amp``    -- a few AMP steps (``enable_amp=True``: CUDA autocast float16 + GradScaler in
  ``Trainer.run_step``) of the demo segmentation config on freshly written demo rooms; records whether
  autocast was on in the forward pass, the compute dtypes seen there and the GradScaler's scale.
* ``parity`` -- the same SpUNet-v1m1 weights and voxels through ``spconv`` (CUDA build) and ``spconv_triton``
  in two processes: relative errors of logits and gradients (the bounds of
  ``tests/models/test_models_gpu.py``) and median forward time of each; skipped unless both are installed.
* ``summary`` -- one block with every figure of a ``scripts/gpu_check.sh`` output folder.

    python tools/benchmarks/gpu_check.py train --config-file CFG --num-gpus 2 --steps 12 --out run.json \\
        --options save_path=exp/gpu_check/pretrain enable_amp=True batch_size=8
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from typing import Any, Sequence

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for _path in (ROOT, HERE):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from timing import median_time  # noqa: E402  (this folder)

from pointcept.engines.hooks import HookBase  # noqa: E402
from pointcept.models.layers.sparse_backend import cuda_backends  # noqa: E402
from pointcept.models.weights import unwrap_model  # noqa: E402
from pointcept.utils.synthetic import random_voxel_cloud  # noqa: E402

NA = "n/a"
#: relative-error bounds of the spconv / spconv-triton parity (as in tests/models/test_models_gpu.py)
PARITY_BOUNDS = {"logits": 1e-4, "feat_grad": 1e-3, "weight_grad": 1e-3}


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


# ---------------------------------------------------------------------------------------------- measuring
class StepProbe(HookBase):
    """Times every training step and records peak GPU memory and AMP facts, for the GPU check.

    Put it first in ``trainer.hooks`` (:func:`attach_probe`): its ``before_step``/``after_step`` then bracket
    ``run_step`` (plus the other hooks' cheap ``before_step``), synchronised with the GPU, so an asynchronous
    CUDA step is timed whole. ``iter_times`` run from one ``after_step`` to the next, data loading included.
    The first ``warmup`` steps (CUDA context, cuDNN/Triton autotuning, allocator growth) are not in the
    medians. The first step's forward pass is watched with forward hooks: whether autocast was on and which
    dtypes the modules computed in.
    """

    def __init__(self, warmup: int = 2):
        self.warmup = warmup
        self.step_times: list[float] = []
        self.iter_times: list[float] = []
        self.losses: list[float] = []
        self.peak_memory: int | None = None
        self.peak_reserved: int | None = None
        self.autocast_seen = False
        self.dtypes: Counter = Counter()
        self.scale_start: float | None = None
        self._start = 0.0
        self._last_end: float | None = None
        self._handles: list = []

    def _watch(self, module, inputs, output) -> None:
        if torch.is_autocast_enabled("cuda"):
            self.autocast_seen = True
        value = getattr(output, "features", output)
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            self.dtypes[str(value.dtype).removeprefix("torch.")] += 1

    def before_train(self) -> None:
        trainer = self.trainer
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        scaler = getattr(trainer, "scaler", None)
        self.scale_start = float(scaler.get_scale()) if scaler is not None else None
        self._last_end = None

    def before_step(self) -> None:
        if not self.step_times and not self._handles:
            model = unwrap_model(self.trainer.model)
            self._handles = [m.register_forward_hook(self._watch) for m in model.modules()
                             if not list(m.children())]
        _sync()
        self._start = time.perf_counter()

    def after_step(self) -> None:
        _sync()
        end = time.perf_counter()
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self.step_times.append(end - self._start)
        if self._last_end is not None:
            self.iter_times.append(end - self._last_end)
        self._last_end = end
        loss = self.trainer.comm_info.get("model_output_dict", {}).get("loss")
        if isinstance(loss, torch.Tensor):
            self.losses.append(float(loss.detach().float().item()))

    def after_train(self) -> None:
        if torch.cuda.is_available():
            self.peak_memory = int(torch.cuda.max_memory_allocated())
            self.peak_reserved = int(torch.cuda.max_memory_reserved())

    def figures(self) -> dict[str, Any]:
        """This rank's figures as JSON values; ``None`` where there is nothing to report (CPU memory)."""
        trainer = self.trainer
        scaler = getattr(trainer, "scaler", None)
        timed = self.step_times[self.warmup:]
        # iter_times[i] ends at step i + 1: drop the same warm-up steps
        iters = self.iter_times[max(self.warmup - 1, 0):]
        return {
            "device": str(getattr(trainer, "device", "cpu")),
            "device_name": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
            "steps_total": len(self.step_times),
            "warmup_steps": self.warmup,
            "steps_measured": len(timed),
            "step_time_median_s": _median(timed),
            "iter_time_median_s": _median(iters),
            "step_times_s": [round(t, 5) for t in self.step_times],
            "peak_memory_bytes": self.peak_memory,
            "peak_reserved_bytes": self.peak_reserved,
            "batch_size_per_rank": getattr(trainer, "batch_size_per_rank", None),
            "amp_enabled": bool(getattr(trainer, "amp_enabled", False)),
            "amp_dtype": str(getattr(trainer, "amp_dtype", "")).removeprefix("torch."),
            "grad_scaler": scaler is not None,
            "grad_scale_start": self.scale_start,
            "grad_scale_end": float(scaler.get_scale()) if scaler is not None else None,
            "autocast_seen": self.autocast_seen,
            "forward_dtypes": dict(self.dtypes),
            "losses": [round(v, 5) for v in self.losses],
            "loss_finite": bool(self.losses) and all(math.isfinite(v) for v in self.losses),
        }


def attach_probe(trainer: Any, warmup: int = 2) -> StepProbe:
    """Bind :class:`StepProbe` to ``trainer`` as its first hook, so it brackets ``run_step``; returns it."""
    probe = StepProbe(warmup)
    probe.bind(trainer)
    trainer.hooks.insert(0, probe)
    return probe


def _probe_dir(cfg: Any) -> str:
    return os.path.join(cfg.save_path, "gpu_check")


def measured_train_worker(cfg: Any, warmup: int = 2) -> None:
    """``cli.train_worker`` with a :class:`StepProbe`: set up, build the trainer, train, write this rank's
    figures to ``<save_path>/gpu_check/rank<R>.json`` (the launching process merges them)."""
    from pointcept.engines.defaults import default_setup
    from pointcept.engines.train import build_trainer
    from pointcept.utils.comm import get_rank

    cfg = default_setup(cfg)
    trainer = build_trainer(cfg)
    probe = attach_probe(trainer, warmup)
    trainer.train()
    figures = probe.figures()
    figures["rank"] = get_rank()
    os.makedirs(_probe_dir(cfg), exist_ok=True)
    with open(os.path.join(_probe_dir(cfg), f"rank{get_rank()}.json"), "w") as handle:
        json.dump(figures, handle, indent=1)


def merge_ranks(per_rank: list[dict[str, Any]]) -> dict[str, Any]:
    """One figure set from every rank's: rank 0's timing, memory as the maximum over ranks (the GPU that
    runs out first is what limits the batch), every rank's figures kept under ``per_rank``."""
    if not per_rank:
        raise RuntimeError("no rank wrote its figures (did training fail?)")
    per_rank = sorted(per_rank, key=lambda f: f.get("rank", 0))
    merged = {k: v for k, v in per_rank[0].items() if k not in ("rank", "step_times_s", "losses")}
    merged["world_size"] = len(per_rank)
    for key in ("peak_memory_bytes", "peak_reserved_bytes"):
        values = [f[key] for f in per_rank if f.get(key) is not None]
        merged[key] = max(values) if values else None
    merged["step_time_median_s_per_rank"] = [f["step_time_median_s"] for f in per_rank]
    merged["loss_finite"] = all(f["loss_finite"] for f in per_rank)
    merged["last_loss"] = per_rank[0]["losses"][-1] if per_rank[0]["losses"] else None
    merged["per_rank"] = per_rank
    return merged


def run_measured(cfg: Any, num_gpus: int = 1, warmup: int = 2) -> dict[str, Any]:
    """Train ``cfg`` on ``num_gpus`` ranks (as ``tools/train.py --num-gpus`` does) with a probe on every rank
    and return the merged figures; testable on the CPU (one process, memory ``None``)."""
    from pointcept.engines.launch import launch
    from pointcept.utils.logger import remove_file_handlers

    shutil.rmtree(_probe_dir(cfg), ignore_errors=True)  # no stale figures of an earlier run
    try:
        launch(measured_train_worker, num_gpus, args=(cfg, warmup))
    finally:
        remove_file_handlers()
    per_rank = []
    for path in sorted(glob.glob(os.path.join(_probe_dir(cfg), "rank*.json"))):
        with open(path) as handle:
            per_rank.append(json.load(handle))
    return merge_ranks(per_rank)


def set_steps(cfg: Any, steps: int) -> int:
    """Make ``cfg`` one evaluation round of whole passes over the data with at least ``steps`` optimizer
    steps (``eval_epoch = 1``, ``epoch`` = the passes needed), so that epoch-valued options (warmup) keep
    their meaning; returns the resulting steps per rank."""
    from pointcept.datasets import build_dataset

    per_pass = len(build_dataset(dict(cfg.data.train)))  # scenes x the configured loop
    cfg.eval_epoch = 1
    cfg.epoch = max(1, math.ceil(steps * cfg.batch_size / max(per_pass, 1)))
    return per_pass * cfg.epoch // cfg.batch_size


def _write(path: str | None, figures: dict[str, Any]) -> None:
    text = json.dumps(figures, indent=1)
    if path:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(text + "\n")
    print(format_run(figures))


# ---------------------------------------------------------------------------------------------- AMP step
def amp_config(data_root: str, save_path: str, batch_size: int = 2, seed: int = 0) -> Any:
    """The demo segmentation config cut down to an AMP smoke run: no validation or whole-scene test, only the
    timer and logger hooks, ``enable_amp=True`` (the trainer turns AMP on only on CUDA)."""
    from pointcept.utils.config import Config

    cfg = Config.fromfile(os.path.join(ROOT, "configs", "demo", "semseg-spunet-v1m1-0-base.py"))
    cfg.merge_from_options({
        "data.train.data_root": data_root, "save_path": save_path, "batch_size": batch_size, "num_worker": 2,
        "epoch": 1, "eval_epoch": 1, "evaluate": False, "enable_amp": True, "amp_dtype": "float16",
        "seed": seed,
    })
    cfg.hooks = [dict(type="IterationTimer", warmup_iter=2), dict(type="InformationWriter", log_interval=1)]
    return cfg


def amp_check(work_dir: str, rooms: int = 12, warmup: int = 2) -> dict[str, Any]:
    """A few AMP training steps through ``Trainer`` on freshly written demo rooms, with a probe; adds
    ``amp_ok``: AMP on, GradScaler present, autocast seen in the forward pass, float16 compute, finite
    losses."""
    from pointcept.datasets.demo import write_demo_dataset

    data = os.path.join(work_dir, "demo-data")
    write_demo_dataset(data, num_train=rooms, num_val=1)
    figures = run_measured(amp_config(data, os.path.join(work_dir, "run")), 1, warmup)
    figures["amp_ok"] = bool(figures["amp_enabled"] and figures["grad_scaler"] and figures["autocast_seen"]
                             and figures["forward_dtypes"].get("float16", 0) > 0 and figures["loss_finite"])
    return figures


# ---------------------------------------------------------------------------------------------- parity
def _parity_worker(inputs: str, output: str, repeats: int) -> None:
    """One backend (``POINTCEPT_SPCONV_BACKEND``): logits, input and first-weight gradients, forward time."""
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    from pointcept.models import build_model
    from pointcept.models.layers.sparse_backend import BACKEND_NAME
    from pointcept.utils.checkpoint_io import safe_torch_load

    saved = safe_torch_load(inputs, "parity input")
    model = build_model(dict(type="SpUNet-v1m1", in_channels=6, num_classes=20)).cuda()
    model.load_state_dict(saved["state_dict"], strict=True)
    data = {k: v.cuda() for k, v in saved["data"].items()}
    model.eval()
    with torch.no_grad():
        logits = model(data).cpu()

        def forward() -> None:
            model(data)
            torch.cuda.synchronize()

        forward()  # warm-up (kernel compilation / autotuning)
        forward_s = median_time(forward, repeats)[0]
    model.train()
    data["feat"].requires_grad_()
    model(data).square().mean().backward()
    torch.save({"backend": BACKEND_NAME, "logits": logits, "feat_grad": data["feat"].grad.cpu(),
                "weight_grad": model.conv_input[0].weight.grad.cpu(), "forward_s": forward_s}, output)


def _relative_error(got: torch.Tensor, want: torch.Tensor) -> float:
    return ((got.double() - want.double()).abs().max() / want.double().abs().max().clamp_min(1e-12)).item()


def parity_check(repeats: int = 5, timeout: float = 300) -> dict[str, Any]:
    """spconv vs spconv_triton on the same weights and voxels, each in its own process (the backend is
    chosen at import); ``status`` is ``skipped`` unless CUDA and both backends are there."""
    if not torch.cuda.is_available():
        return {"status": "skipped", "reason": "no CUDA device"}
    installed = cuda_backends()
    if len(installed) < 2:
        return {"status": "skipped", "installed": installed,
                "reason": "needs both spconv (CUDA build, spconv-cuXXX) and spconv-triton; installed: "
                          + (", ".join(installed) or "neither")}
    from pointcept.models import build_model
    from pointcept.utils.checkpoint_io import safe_torch_load

    torch.manual_seed(0)
    state_dict = build_model(dict(type="SpUNet-v1m1", in_channels=6, num_classes=20)).state_dict()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        inputs = os.path.join(tmp, "in.pt")
        torch.save({"state_dict": state_dict, "data": random_voxel_cloud(sizes=(3000, 2000), extent=64)}, inputs)
        for backend in ("spconv", "spconv_triton"):
            env = dict(os.environ, POINTCEPT_SPCONV_BACKEND=backend)
            env["PYTHONPATH"] = os.pathsep.join([ROOT, env.get("PYTHONPATH", "")])
            out = os.path.join(tmp, f"{backend}.pt")
            command = [sys.executable, os.path.abspath(__file__), "parity-worker", inputs, out,
                       "--repeats", str(repeats)]
            run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)
            if run.returncode != 0:
                return {"status": "failed", "reason": f"{backend} worker failed: {run.stderr[-2000:]}"}
            results[backend] = safe_torch_load(out, f"{backend} parity result")
    a, b = results["spconv"], results["spconv_triton"]
    errors = {key: _relative_error(b[key], a[key]) for key in PARITY_BOUNDS}
    ok = all(errors[k] < bound for k, bound in PARITY_BOUNDS.items())
    return {"status": "passed" if ok else "failed", "relative_errors": errors, "bounds": PARITY_BOUNDS,
            "forward_median_s": {name: r["forward_s"] for name, r in results.items()},
            "backends_reported": {name: r["backend"] for name, r in results.items()}}


# ---------------------------------------------------------------------------------------------- reporting
def format_seconds(value: float | None) -> str:
    """``0.123 s``, or ``n/a`` where nothing was measured (a run no longer than its warm-up)."""
    return NA if value is None else f"{value:.3f} s"


def format_memory(value: int | None) -> str:
    """Bytes as MiB/GiB, or ``n/a`` (the CPU has no ``torch.cuda.max_memory_allocated``)."""
    if value is None:
        return NA
    return f"{value / 2**30:.2f} GiB" if value >= 2**30 else f"{value / 2**20:.1f} MiB"


def format_run(figures: dict[str, Any]) -> str:
    """One line of a measured run's figures (used per step and in the summary)."""
    ranks = figures.get("world_size", 1)
    text = (f"{ranks} rank{'s' if ranks != 1 else ''} on {figures.get('device_name', '?')}, "
            f"batch/rank {figures.get('batch_size_per_rank')}, {figures.get('steps_total')} steps "
            f"({figures.get('steps_measured')} after {figures.get('warmup_steps')} warm-up): "
            f"median step {format_seconds(figures.get('step_time_median_s'))}, "
            f"median iteration incl. data {format_seconds(figures.get('iter_time_median_s'))}, "
            f"peak GPU memory {format_memory(figures.get('peak_memory_bytes'))}"
            + (" (max over ranks)" if ranks > 1 else ""))
    if figures.get("amp_enabled"):
        scale = figures.get("grad_scale_start"), figures.get("grad_scale_end")
        text += (f"; AMP {figures.get('amp_dtype')}, autocast in forward {figures.get('autocast_seen')}, "
                 f"dtypes {figures.get('forward_dtypes')}, GradScaler scale {scale[0]} -> {scale[1]}")
    else:
        text += "; AMP off"
    return text + f"; losses finite {figures.get('loss_finite')}, last loss {figures.get('last_loss')}"


def _junit_figures(path: str) -> str:
    import xml.etree.ElementTree as ET

    if not os.path.isfile(path):
        return "no junit report"
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        return "empty junit report"
    total, failed = int(suite.get("tests", 0)), int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    names = [case.get("name") for case in suite.iter("testcase")
             if case.find("failure") is not None or case.find("error") is not None]
    text = (f"{total - failed - skipped} passed, {failed} failed, {skipped} skipped "
            f"in {float(suite.get('time', 0)):.1f} s")
    return text + (f" (failed: {', '.join(names)})" if names else "")


def _load(path: str) -> dict[str, Any] | None:
    if not os.path.isfile(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def summary(out_dir: str) -> str:
    """The final block of ``scripts/gpu_check.sh``: every step's status, seconds and figures."""
    status: dict[str, tuple[str, str]] = {}
    steps_file = os.path.join(out_dir, "steps.tsv")
    if os.path.isfile(steps_file):
        for line in open(steps_file):
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3:
                status[parts[0]] = (parts[1], parts[2])
    lines = ["=" * 30 + " GPU check summary " + "=" * 30]
    if torch.cuda.is_available():
        names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        lines.append(f"machine: {len(names)} GPU(s) {', '.join(sorted(set(names)))}; "
                     f"torch {torch.__version__}, CUDA {torch.version.cuda}")
    else:
        lines.append(f"machine: no CUDA device; torch {torch.__version__}")

    def head(key: str, name: str) -> str:
        state, seconds = status.get(key, ("not run", ""))
        return f"[{key}] {name:<34} {state.upper():<8} {seconds + ' s' if seconds else '':>8}  "

    lines.append(head("1", "pytest -m gpu") + _junit_figures(os.path.join(out_dir, "pytest_gpu.xml")))
    parity = _load(os.path.join(out_dir, "parity.json"))
    if parity is None:
        text = "no figures"
    elif parity.get("status") == "skipped" or "relative_errors" not in parity:
        text = f"{parity.get('status')}: {parity.get('reason', '')}"[:300]
    else:
        errs = ", ".join(f"{k} {v:.2e} (< {parity['bounds'][k]:.0e})"
                         for k, v in parity["relative_errors"].items())
        times = ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in parity["forward_median_s"].items())
        text = f"relative errors {errs}; median forward {times}"
    lines.append(head("2", "spconv vs spconv-triton parity") + text)
    amp = _load(os.path.join(out_dir, "amp.json"))
    lines.append(head("3", "AMP step (demo semseg, Trainer)")
                 + ("no figures" if amp is None else f"amp_ok {amp.get('amp_ok')}; " + format_run(amp)))
    pretrain = _load(os.path.join(out_dir, "pretrain.json"))
    lines.append(head("4", "GroupContrast pretraining (real)")
                 + ("no figures" if pretrain is None else format_run(pretrain)))
    failed = [k for k, (state, _) in status.items() if state not in ("passed", "skipped")]
    verdict = f"FAILED steps {', '.join(failed)}" if failed else "all steps passed or skipped"
    lines.append(f"overall: {verdict}; figures in {out_dir}")
    lines.append("=" * 79)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- CLI
def _train_main(argv: Sequence[str]) -> dict[str, Any]:
    from pointcept.engines.defaults import default_argument_parser, default_config_parser

    parser = default_argument_parser("Train with tools/train.py's flags and measure step time and GPU memory")
    parser.add_argument("--steps", type=int, default=None, help="one round of at least this many steps")
    parser.add_argument("--warmup", type=int, default=2, help="first steps left out of the medians")
    parser.add_argument("--out", default=None, help="write the figures to this JSON file")
    args = parser.parse_args(argv)
    options = list(args.options) + (["resume=True"] if args.resume else [])
    cfg = default_config_parser(args.config_file, options)
    if args.steps:
        set_steps(cfg, args.steps)
    figures = run_measured(cfg, args.num_gpus, args.warmup)
    _write(args.out, figures)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch the subcommands; returns the exit status (non-zero when a check failed)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "train":
        figures = _train_main(rest)
        return 0 if figures["loss_finite"] else 1
    parser = argparse.ArgumentParser(prog=f"gpu_check.py {command}")
    if command == "amp":
        parser.add_argument("--work-dir", required=True)
        parser.add_argument("--rooms", type=int, default=12)
        parser.add_argument("--out", default=None)
        args = parser.parse_args(rest)
        figures = amp_check(args.work_dir, args.rooms)
        _write(args.out, figures)
        print(f"amp_ok: {figures['amp_ok']}")
        return 0 if figures["amp_ok"] or not torch.cuda.is_available() else 1
    if command == "parity":
        parser.add_argument("--out", default=None)
        parser.add_argument("--repeats", type=int, default=5)
        args = parser.parse_args(rest)
        result = parity_check(args.repeats)
        if args.out:
            with open(args.out, "w") as handle:
                json.dump(result, handle, indent=1)
        print(json.dumps(result, indent=1))
        return {"passed": 0, "skipped": 3, "failed": 1}[result["status"]]
    if command == "parity-worker":
        parser.add_argument("inputs")
        parser.add_argument("output")
        parser.add_argument("--repeats", type=int, default=5)
        args = parser.parse_args(rest)
        _parity_worker(args.inputs, args.output, args.repeats)
        return 0
    if command == "summary":
        parser.add_argument("--out-dir", required=True)
        print(summary(parser.parse_args(rest).out_dir))
        return 0
    print(f"unknown subcommand {command!r}; expected train, amp, parity, summary", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
