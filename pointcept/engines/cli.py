"""Entry points behind ``tools/train.py``, ``tools/test.py`` and the ``pointcept-*`` console scripts."""

from __future__ import annotations

import sys
from typing import Sequence

from .defaults import default_argument_parser, default_config_parser, default_setup
from .launch import RENDEZVOUS_TIMEOUT_ENV, launch
from .testers import build_tester
from .train import build_trainer


def train_worker(cfg, extra_hooks=()):
    """Set up this process, build the configured trainer (plus ``extra_hooks``, already built) and train;
    returns the trainer."""
    cfg = default_setup(cfg)
    trainer = build_trainer(cfg)
    trainer.register_hooks(list(extra_hooks))
    trainer.train()
    return trainer


def test_worker(cfg) -> dict:
    """Set up this process and run the configured tester on ``cfg.weight``; returns its metrics."""
    cfg = default_setup(cfg, role="test")
    return build_tester(cfg).test()


def _parse(argv: Sequence[str] | None, description: str):
    parser = default_argument_parser(description)
    parser.add_argument("--rendezvous-timeout", type=float, default=None, metavar="SECONDS",
                        help="how long ranks wait for each other at start-up before failing (default: "
                             f"${RENDEZVOUS_TIMEOUT_ENV} or 600); a rank that never starts fails the run")
    args = parser.parse_args(argv)
    options = list(args.options) + (["resume=True"] if args.resume else [])
    cfg = default_config_parser(args.config_file, options)
    return args, cfg


def train_main(argv: Sequence[str] | None = None) -> None:
    args, cfg = _parse(argv if argv is not None else sys.argv[1:], "Train a Pointcept model")
    launch(train_worker, args.num_gpus, args.num_machines, args.machine_rank, args.dist_url, args=(cfg,),
           rendezvous_timeout_s=args.rendezvous_timeout)


def test_main(argv: Sequence[str] | None = None) -> None:
    args, cfg = _parse(argv if argv is not None else sys.argv[1:], "Test a Pointcept model")
    launch(test_worker, args.num_gpus, args.num_machines, args.machine_rank, args.dist_url, args=(cfg,),
           rendezvous_timeout_s=args.rendezvous_timeout)
