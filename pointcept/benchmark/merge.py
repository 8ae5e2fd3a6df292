"""``runs.json``: every finished run of a report, self-contained, so a grid can be finished elsewhere.

A benchmark grid is often split: seeds on different cluster nodes, a run folder deleted to save disk, a
session that ended with part of the grid done. Each report therefore also writes ``runs.json`` (one record
per finished run: metrics, the fingerprint with both config hashes, the commit it was made at, what each
stage used and its learning curves). ``--merge-runs FILE`` takes such files from other reports: their runs
count as finished (nothing retrains them) and enter the tables and pictures, after the same check a
finished run folder gets: a record made with other settings is refused, naming the file and the run.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from .plan import RunSpec

#: the ``format`` field of a ``runs.json``; a file of another format is refused, not guessed at
RUNS_FORMAT = "pointcept-benchmark-runs/1"
#: what every merged record must have to be reported and checked
REQUIRED_KEYS = ("method", "seed", "metrics", "fingerprint")


def runs_document(command: str, records: Sequence[dict]) -> dict[str, Any]:
    """The content of ``runs.json`` for ``records`` (each already carrying ``commit`` and ``curves``)."""
    keep = [{k: v for k, v in r.items() if k != "skipped"} for r in records]
    return {"format": RUNS_FORMAT, "command": command, "runs": keep}


def read_runs_file(path: str) -> list[dict]:
    """The run records of one ``runs.json``, each tagged with ``merged_from``; malformed files raise."""
    try:
        with open(path) as handle:
            content = json.load(handle)
    except OSError as error:
        raise FileNotFoundError(f"--merge-runs: cannot read {path}: {error}") from error
    except ValueError as error:
        raise ValueError(f"--merge-runs: {path} is not JSON: {error}") from error
    if not isinstance(content, dict) or content.get("format") != RUNS_FORMAT:
        found = content.get("format") if isinstance(content, dict) else type(content).__name__
        raise ValueError(f"--merge-runs: {path} has format {found!r}, expected {RUNS_FORMAT!r} (the runs.json a "
                         "benchmark report writes)")
    records = content.get("runs")
    if not isinstance(records, list):
        raise ValueError(f"--merge-runs: {path}: 'runs' must be a list of run records")
    out = []
    for i, record in enumerate(records):
        missing = [k for k in REQUIRED_KEYS if not isinstance(record, dict) or k not in record]
        if missing:
            raise ValueError(f"--merge-runs: {path}: run {i} lacks {', '.join(missing)}")
        out.append(dict(record, merged_from=path, skipped=True))
    return out


def merged_records(paths: Sequence[str], runs: Sequence[RunSpec], expected, check) -> tuple[dict, list[str]]:
    """``({run key: record}, notes)`` of the records in ``paths`` that belong to the planned ``runs``.

    ``expected(run)`` is the fingerprint a finished ``run`` must have; ``check(record, where, fingerprint)``
    raises when it differs. A record of a method or seed this command does not plan is left out (and said
    so in the notes); the same run in two files is an error, as the reports would disagree on which counts.
    """
    planned = {(r.method.name, r.seed): r for r in runs}
    found: dict[str, dict] = {}
    notes = []
    for path in paths:
        left_out = []
        for record in read_runs_file(path):
            run = planned.get((record["method"], record["seed"]))
            if run is None:
                left_out.append(f"{record['method']} seed {record['seed']}")
                continue
            if run.key in found:
                raise ValueError(f"--merge-runs: {run.key} is in both {found[run.key]['merged_from']} and {path}; "
                                 "give only one of them")
            check(record, f"{path} ({run.key})", expected(run))
            found[run.key] = record
        if left_out:
            notes.append(f"{path}: not part of this command, left out: {', '.join(left_out)}")
    return found, notes
