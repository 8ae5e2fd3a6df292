"""Command-line arguments, config resolution and per-process setup shared by train and test."""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from pointcept.utils.comm import broadcast_object, get_rank, get_world_size, is_main_process
from pointcept.utils.config import Config, unknown_keys
from pointcept.utils.io import _umask, atomic_write_text
from pointcept.utils.logger import get_logger
from pointcept.utils.registry import did_you_mean
from pointcept.utils.seed import set_seed

#: Every top-level config key the trainer, the testers and the hooks read, with what it means. The
#: runtime defaults are in ``configs/_base_/default_runtime.py``; a key not listed here (nor private,
#: ``_name``, nor a variable the config file reads itself) is reported at training start, because nothing
#: would read it (``batchsize``, Pointcept's ``empty_cache``). Code that reads a new key registers it with
#: :func:`register_config_key`.
CONFIG_KEYS: dict[str, str] = {
    "model": "model to build (registry ``MODELS``)",
    "optimizer": "optimizer; ``lr`` is the base learning rate",
    "scheduler": "per-optimizer-step learning-rate schedule",
    "data": "data sets (``train``/``val``/``test``) and ``num_classes``, ``ignore_index``, ``names``",
    "hooks": "trainer hooks, in call order",
    "train": "trainer to build (``DefaultTrainer``)",
    "test": "tester to build (``SemSegTester``, ``InsSegTester``, ``DetectionTester``)",
    "weight": "weights to start from (fine-tuning) or to test",
    "weight_mapping": "(old_prefix, new_prefix) renames applied when loading ``weight``",
    "weight_keep_unmapped": "False: ignore checkpoint keys that no mapping matched",
    "resume": "continue from <save_path>/model/model_last.pth",
    "evaluate": "validate after every evaluation round",
    "test_only": "Pointcept's flag, kept for config compatibility (tools/test.py tests)",
    "seed": "global seed (None: drawn and recorded in config.py)",
    "save_path": "experiment folder (None: exp/<config folder>/<config name>)",
    "num_worker": "data-loader workers, total over all processes",
    "batch_size": "training batch, total over all processes (per micro-batch with gradient accumulation)",
    "batch_size_val": "validation batch, total over all processes (None: 1 per process)",
    "batch_size_test": "fragments per forward pass in whole-scene testing",
    "gradient_accumulation_steps": "micro-batches per optimizer step",
    "epoch": "training epochs (passes over the training set)",
    "eval_epoch": "evaluation/checkpoint rounds; each trains epoch // eval_epoch epochs",
    "clip_grad": "max gradient norm (None: no clipping)",
    "sync_bn": "SyncBatchNorm on several processes",
    "enable_amp": "mixed precision (CUDA only)",
    "amp_dtype": "float16 or bfloat16",
    "find_unused_parameters": "DDP's find_unused_parameters",
    "mix_prob": "Mix3D probability",
    "param_dicts": "per-parameter-group lr scales",
    "enable_wandb": "also log the tensorboard scalars to Weights & Biases",
    "wandb_project": "W&B project name",
    "wandb_key": "W&B API key (None: an existing login, else offline)",
    "weight_allow_partial": "True or allowed-missing key prefixes: permit a partial backbone load from weight=",
}


def register_config_key(name: str, meaning: str) -> None:
    """Declare a top-level config key that new code (a custom trainer or hook) reads.

    Why: the unknown-key warning at training start would otherwise report it as ignored.
    """
    CONFIG_KEYS[name] = meaning


def known_config_keys() -> set[str]:
    """Every config key the framework reads: the built-in table plus what extensions registered.

    The built-in hooks, trainers and testers declare their keys in :data:`CONFIG_KEYS` itself (not at their
    import), so the answer does not depend on which modules happened to be imported first.
    """
    return set(CONFIG_KEYS)


#: Configs renamed to Pointcept's name for the same job: ``<config folder>/<old name>`` -> new name. The
#: old path still works (with a FutureWarning) through :func:`resolve_config_file`.
CONFIG_ALIASES: dict[str, str] = {
    "scannet/insseg-pointgroup-spunet-v1m1-0-base": "insseg-pointgroup-v1m1-0-spunet-base",
    "s3dis/insseg-pointgroup-spunet-v1m1-0-base": "insseg-pointgroup-v1m1-0-spunet-base",
    "scannet200/insseg-pointgroup-spunet-v1m1-0-base": "insseg-pointgroup-spunet-0-base",
    **{f"scannet/semseg-spunet-v1m1-3-efficient-{s}": f"semseg-spunet-v1m1-2-efficient-{s}"
       for s in ("la20", "la50", "la100", "la200", "lr1", "lr5", "lr10", "lr20")},
}


def resolve_config_file(config_file: str | os.PathLike) -> str:
    """The config file to load: ``config_file`` itself, or the new name of a renamed config.

    Why: configs were renamed to Pointcept's names; a user's script with an old name keeps working, with a
    FutureWarning naming the new file.
    """
    path = Path(config_file)
    if path.is_file():
        return str(config_file)
    new = CONFIG_ALIASES.get(f"{path.parent.name}/{path.stem}")
    if new is not None and (path.parent / f"{new}.py").is_file():
        target = str(path.parent / f"{new}.py")
        warnings.warn(f"config {config_file} was renamed to {target} (Pointcept's name); use the new name, "
                      "the old one will be removed", FutureWarning, stacklevel=2)
        return target
    return str(config_file)


def default_save_path(config_file: str | os.PathLike) -> str:
    """``exp/<config folder>/<config name>``, e.g. ``exp/scannet/semseg-spunet-v1m1-0-base``.

    Why: a fine-tuning config's default ``weight`` names its pretraining config's output folder, which only
    exists if every run writes to a folder named after its config (the old ``exp/default`` was shared).
    """
    path = Path(config_file)
    return os.path.join("exp", path.parent.name or "default", path.stem)


def default_argument_parser(description: str = "Pointcept") -> argparse.ArgumentParser:
    """Pointcept's flags: ``--config-file CFG --num-gpus N --options save_path=... weight=... resume=True``."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--config-file", required=True, metavar="FILE", help="path to a config file")
    parser.add_argument("--num-gpus", type=int, default=1,
                        help="processes per machine (one per GPU; on a CPU machine, CPU processes using gloo)")
    parser.add_argument("--num-machines", type=int, default=1, help="total number of machines")
    parser.add_argument("--machine-rank", type=int, default=0, help="rank of this machine")
    parser.add_argument("--dist-url", default="auto",
                        help="rendezvous URL (tcp://HOST:PORT) for multi-machine runs; 'auto' picks a local port")
    parser.add_argument("--resume", action="store_true", help="same as --options resume=True")
    parser.add_argument("--options", nargs="+", default=[], metavar="KEY=VALUE",
                        help="config overrides, e.g. optimizer.lr=0.1 data.train.loop=2 (prefix + to add a key)")
    return parser


def default_config_parser(config_file: str, options: Sequence[str] | dict | None = None) -> Config:
    """Load ``config_file`` (or the new name of a renamed one), apply ``options``, default ``save_path`` to
    :func:`default_save_path` and check the values (:func:`validate_config`)."""
    config_file = resolve_config_file(config_file)
    if not os.path.isfile(config_file):
        folder = Path(config_file).parent
        names = [p.name for p in folder.glob("*.py")] if folder.is_dir() else []
        raise FileNotFoundError(f"config file not found: {config_file}.{did_you_mean(Path(config_file).name, names)}")
    cfg = Config.fromfile(config_file)
    cfg.merge_from_options(options)
    if not cfg.get("save_path"):
        cfg.save_path = default_save_path(config_file)
    validate_config(cfg)
    return cfg


# ---------------------------------------------------------------------------------- value checks
def _int(minimum: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= minimum


def _number(low: float, high: float = math.inf, low_open: bool = False) -> Callable[[Any], bool]:
    def check(v: Any) -> bool:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            return False
        return (v > low if low_open else v >= low) and v <= high
    return check


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: v is None or check(v)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _text(v: Any) -> bool:
    return isinstance(v, str) and v.strip() != ""


#: (dotted key, check, what was expected); a key absent from the config is not checked
VALUE_RULES: list[tuple[str, Callable[[Any], bool], str]] = [
    ("batch_size", _int(1), "an integer >= 1 (the batch over all processes)"),
    ("batch_size_val", _optional(_int(1)), "None or an integer >= 1"),
    ("batch_size_test", _optional(_int(1)), "None or an integer >= 1"),
    ("num_worker", _int(0), "an integer >= 0 (data-loader workers over all processes)"),
    ("epoch", _int(1), "an integer >= 1 (passes over the training set)"),
    ("eval_epoch", _int(1), "an integer >= 1 (evaluation rounds, a divisor of epoch)"),
    ("gradient_accumulation_steps", _int(1), "an integer >= 1 (micro-batches per optimizer step)"),
    ("clip_grad", _optional(_number(0, low_open=True)), "None or a number > 0 (max gradient norm)"),
    ("mix_prob", _number(0, 1), "a number in [0, 1]"),
    ("seed", _optional(_int(0)), "None or an integer >= 0"),
    ("amp_dtype", lambda v: v in ("float16", "bfloat16"), "'float16' or 'bfloat16'"),
    ("save_path", _text, "a folder path (string)"),
    ("weight", lambda v: v is None or isinstance(v, str), "None or a checkpoint path (string)"),
    ("wandb_project", _text, "a W&B project name (string)"),
    ("wandb_key", _optional(_text), "None or a W&B API key (string)"),
    ("optimizer.lr", _number(0), "a number >= 0 (the base learning rate)"),
    *[(key, _is_bool, "True or False") for key in (
        "resume", "evaluate", "test_only", "sync_bn", "enable_amp", "find_unused_parameters", "enable_wandb",
        "weight_keep_unmapped")],
]


def validate_config(cfg: dict) -> None:
    """Check the types and ranges of the keys the trainer reads; raise one ``ValueError`` naming each bad
    key, its value and what was expected.

    Why: ``batch_size=-2``, ``epoch='abc'`` or ``eval_epoch=0`` were accepted and failed later with errors
    that did not name the key (or not at all).
    """
    problems = []
    for dotted, check, expected in VALUE_RULES:
        node: Any = cfg
        for part in dotted.split("."):
            node = node.get(part, _ABSENT) if isinstance(node, dict) else _ABSENT
        if node is not _ABSENT and not check(node):
            problems.append(f"config key {dotted!r} = {node!r}: expected {expected}")
    epoch, eval_epoch = cfg.get("epoch"), cfg.get("eval_epoch")
    if not problems and _int(1)(epoch) and _int(1)(eval_epoch) and epoch % eval_epoch:
        problems.append(f"config key 'eval_epoch' = {eval_epoch!r}: expected a divisor of epoch = {epoch} "
                        "(each of the eval_epoch rounds trains epoch // eval_epoch epochs)")
    if problems:
        raise ValueError("\n".join(problems))


_ABSENT = object()


def warn_unknown_keys(cfg: dict, logger: Any = None) -> list[str]:
    """Log one WARNING per top-level key nothing reads, naming the closest known key; returns the keys.

    Why: an ignored key (a typo, a Pointcept option this trainer lacks) silently leaves the default in
    place, and the run does something else than its config says.
    """
    logger = logger or get_logger()
    found = unknown_keys(cfg, known_config_keys())
    for key, closest in found:
        hint = f"; did you mean {closest!r}?" if closest else ""
        logger.warning(f"config key {key!r} = {_short(cfg[key])} is not read by the trainer, the tester or any "
                       f"hook: it has no effect{hint} (a variable only the config uses may start with '_')")
    return [key for key, _ in found]


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def default_setup(cfg: Config, role: str = "train") -> Config:
    """Per-process setup: check batch sizes against the world size, seed, save the resolved config and, for
    training, the code and environment (:func:`record_experiment`)."""
    world_size = get_world_size()
    for key in ("batch_size", "num_worker"):
        value = cfg.get(key)
        if value is not None and key == "batch_size" and value % world_size:
            raise ValueError(f"{key}={value} is the total over {world_size} processes and must divide evenly")
    if cfg.get("seed") is None:
        cfg.seed = broadcast_object(random.randint(0, 2**31 - 1))
    set_seed(cfg.seed + get_rank())
    if is_main_process():
        os.makedirs(cfg.save_path, exist_ok=True)
        cfg.dump(os.path.join(cfg.save_path, "config.py" if role == "train" else f"config_{role}.py"))
    logger = get_logger(log_file=os.path.join(cfg.save_path, f"{role}.log"))
    logger.info(f"Config saved; seed {cfg.seed}")
    if role == "train" and is_main_process():
        try:
            record_experiment(cfg.save_path)
        except Exception as error:  # a record that cannot be written must not stop the run; say so loudly
            logger.warning(f"could not record the code and environment in {cfg.save_path}: {error!r}")
    return cfg


# ---------------------------------------------------------------------------------- experiment record
#: the repository (or install) folder holding the ``pointcept`` package
SOURCE_ROOT = Path(__file__).resolve().parents[2]
#: untracked files larger than this, or beyond this total, are listed in code/git.json but not copied
UNTRACKED_FILE_LIMIT = 1 << 20
UNTRACKED_TOTAL_LIMIT = 32 << 20


def environment_record() -> dict:
    """Python, torch, CUDA, cuDNN, sparse backend, numpy and GPU names of this process.

    Why: a result is only comparable (or reproducible) with the versions it was produced with, and the
    sparse backend (spconv vs spconv-triton, CPU vs CUDA build) changes numerics.
    """
    import numpy
    import torch

    cuda = torch.cuda.is_available()
    try:
        cudnn = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    except Exception:  # pragma: no cover - broken CUDA installs
        cudnn = None
    return {
        "time": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": [sys.executable, *sys.argv],
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cuda_available": cuda,
        "cudnn": cudnn,
        "sparse_backend": _sparse_backend(),
        "numpy": numpy.__version__,
        "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if cuda else [],
        "world_size": get_world_size(),
    }


def _sparse_backend() -> dict:
    import importlib.metadata

    try:
        from pointcept.models.layers.sparse_backend import BACKEND_NAME
    except ImportError as error:
        return {"name": None, "version": None, "error": str(error)}
    dists = importlib.metadata.packages_distributions().get(BACKEND_NAME, [])
    versions = {}
    for dist in dists:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    version = next(iter(versions.values()), None)
    return {"name": BACKEND_NAME, "version": version, "distributions": versions}


def _git(args: Sequence[str], root: Path) -> str | None:
    """Output of a read-only git command in ``root``, or None (no git, not a checkout, timeout)."""
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C")  # never touch the index of a shared tree
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=60, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None


def git_state(root: Path = SOURCE_ROOT) -> dict | None:
    """Commit, branch, ``git status`` lines, the diff against HEAD and the untracked files of the checkout
    holding ``root``; None when ``root`` is not in a git checkout (or git is missing).

    Why: commit + diff + untracked files pin the exact code of a run in a few KB, where a copy of the tree
    would not say which commit it came from. Read-only (``GIT_OPTIONAL_LOCKS=0``): a shared tree's index is
    never rewritten.
    """
    top = _git(["rev-parse", "--show-toplevel"], root)
    commit = _git(["rev-parse", "HEAD"], root)
    if not top or not commit:
        return None
    status = _git(["status", "--porcelain"], root) or ""
    return {
        "root": top.strip(),
        "commit": commit.strip(),
        "branch": (_git(["rev-parse", "--abbrev-ref", "HEAD"], root) or "").strip(),
        "dirty": bool(status.strip()),
        "status": status.splitlines(),
        "diff": _git(["diff", "HEAD", "--binary"], root) or "",
        "untracked": (_git(["ls-files", "--others", "--exclude-standard"], Path(top.strip())) or "").splitlines(),
    }


def _write_code_record(folder: Path, root: Path, git: dict | None, exclude: Path) -> None:
    if git is not None:
        top = Path(git["root"])
        copied, skipped, total = [], [], 0
        for rel in git["untracked"]:
            source = top / rel
            if exclude in source.resolve().parents:  # the experiment folder itself, when not git-ignored
                continue
            size = source.stat().st_size if source.is_file() else None
            if size is None or size > UNTRACKED_FILE_LIMIT or total + size > UNTRACKED_TOTAL_LIMIT:
                skipped.append(rel)
                continue
            (folder / "untracked" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / "untracked" / rel)
            copied.append(rel)
            total += size
        (folder / "git_diff.patch").write_text(git["diff"])
        info = {k: git[k] for k in ("root", "commit", "branch", "dirty", "status")}
        info.update(untracked_copied=copied, untracked_not_copied=skipped,
                    restore=f"git checkout {git['commit']} && git apply git_diff.patch && cp -r untracked/. .")
        (folder / "git.json").write_text(json.dumps(info, indent=2) + "\n")
        return
    package = root / "pointcept"
    shutil.copytree(package, folder / "pointcept",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.o", "build"))
    for extra in ("configs", "tools", "scripts"):
        if (root / extra).is_dir():
            shutil.copytree(root / extra, folder / extra, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    info = {"source": str(root), "git": None, "note": "not a git checkout: a copy of the package source"}
    (folder / "source.json").write_text(json.dumps(info, indent=2) + "\n")


def record_experiment(save_path: str | os.PathLike, root: Path = SOURCE_ROOT) -> dict:
    """Write ``env.json`` and ``code/`` (git commit + diff + untracked files, or a copy of the package source
    when not in a git checkout) into ``save_path``, atomically; returns the environment record.

    Why: ``config.py`` alone does not say which code and versions produced a result; Pointcept keeps a
    ``code/`` copy for the same reason. Rewritten at every start (a resume may run other code).
    """
    save_path = Path(save_path)
    save_path.mkdir(parents=True, exist_ok=True)
    env = environment_record()
    git = git_state(root)
    env["code"] = {"git_commit": git["commit"], "dirty": git["dirty"]} if git else {"git_commit": None,
                                                                                      "source": str(root)}
    tmp = Path(tempfile.mkdtemp(prefix=".code.", suffix=".tmp", dir=save_path))
    try:
        _write_code_record(tmp, Path(root), git, save_path.resolve())
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it 0700; give it the mode mkdir would
        final = save_path / "code"
        old = None
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=".code.", suffix=".old", dir=save_path))
            os.replace(final, old / "code")
        os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    atomic_write_text(save_path / "env.json", json.dumps(env, indent=2) + "\n")
    return env
