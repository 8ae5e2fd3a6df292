"""Learning curves of finished runs, read back from the tensorboard events the trainer already writes.

The trainer logs ``train/loss`` (mean over each round) and the evaluator ``val/<metric>`` per round, with
the round number as the step. A round is ``epoch // eval_epoch`` epochs, so curves are converted to
epochs, which compare across stages with different round lengths. A resumed stage writes a second event
file; a step written twice keeps its last value.
"""

from __future__ import annotations

import glob
import os

#: a curve: (epochs, values), both ascending in epochs
Curve = tuple[list[float], list[float]]


def read_scalars(logdir: str, tags: tuple[str, ...]) -> dict[str, dict[int, float]]:
    """``{tag: {step: value}}`` of the wanted tags from every event file in ``logdir`` (not recursive)."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    out: dict[str, dict[int, float]] = {tag: {} for tag in tags}
    for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*")), key=os.path.getmtime):
        try:
            for event in EventFileLoader(path).Load():
                if not event.HasField("summary"):
                    continue
                for value in event.summary.value:
                    if value.tag not in out:
                        continue
                    if value.HasField("simple_value"):
                        number = float(value.simple_value)
                    elif value.HasField("tensor") and value.tensor.float_val:
                        number = float(value.tensor.float_val[0])
                    else:
                        continue
                    out[value.tag][int(event.step)] = number
        except Exception as error:  # a truncated last record (killed writer) must not lose the rest
            from pointcept.utils.logger import get_logger

            get_logger().warning(f"[benchmark] {path}: stopped reading tensorboard events at {error!r}")
    return out


def stage_curves(logdir: str, tags: tuple[str, ...], epochs_per_round: float) -> dict[str, Curve]:
    """The wanted tags of one stage as curves over epochs."""
    if not os.path.isdir(logdir):
        return {}
    scalars = read_scalars(logdir, tags)
    curves = {}
    for tag, points in scalars.items():
        if points:
            steps = sorted(points)
            curves[tag] = ([s * epochs_per_round for s in steps], [points[s] for s in steps])
    return curves


def run_curves(run_dir: str, record: dict, val_tag: str) -> dict[str, dict[str, Curve]]:
    """``{"finetune": {tag: curve}, "pretrain": {"train/loss": curve}}`` of one finished run."""
    out: dict[str, dict[str, Curve]] = {}
    for stage, tags in (("finetune", (val_tag, "train/loss")), ("pretrain", ("train/loss",))):
        outcome = record.get(stage) or {}
        if not outcome:
            continue
        per_round = outcome.get("epochs_configured", 1) / max(outcome.get("eval_epoch", 1), 1)
        curves = stage_curves(os.path.join(run_dir, stage), tags, per_round)
        if curves:
            out[stage] = curves
    return out
