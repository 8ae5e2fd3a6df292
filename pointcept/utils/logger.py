"""One ``pointcept`` logger: console on every rank at WARNING, INFO on rank 0, plus an optional log file."""

from __future__ import annotations

import logging
import sys

from .comm import get_rank

LOGGER_NAME = "pointcept"
_FORMAT = "[%(asctime)s %(levelname)s] %(message)s"


def get_logger(log_file: str | None = None, level: int = logging.INFO) -> logging.Logger:
    """The framework logger; the first call with ``log_file`` adds a file handler (rank 0 only)."""
    logger = logging.getLogger(LOGGER_NAME)
    rank = get_rank()
    if not getattr(logger, "_pointcept_ready", False):
        logger.propagate = False
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%m/%d %H:%M:%S"))
        logger.addHandler(handler)
        logger._pointcept_ready = True  # type: ignore[attr-defined]
    logger.setLevel(level if rank == 0 else logging.WARNING)
    if log_file is not None and rank == 0:
        known = {getattr(h, "baseFilename", None) for h in logger.handlers}
        import os

        path = os.path.abspath(log_file)
        if path not in known:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            file_handler = logging.FileHandler(path, mode="a")
            file_handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%m/%d %H:%M:%S"))
            logger.addHandler(file_handler)
    return logger


def remove_file_handlers() -> None:
    """Detach log files (used between experiments in one process, e.g. tests and benchmarks)."""
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        if isinstance(handler, logging.FileHandler):
            logger.removeHandler(handler)
            handler.close()
