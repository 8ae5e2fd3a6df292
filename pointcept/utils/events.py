"""Scalar history of a run: hooks put values, the writer hook averages and logs them."""

from __future__ import annotations

from collections import defaultdict


class EventStorage:
    def __init__(self) -> None:
        self._history: dict[str, list[float]] = defaultdict(list)

    def put_scalar(self, name: str, value: float) -> None:
        self._history[name].append(float(value))

    def put_scalars(self, **values: float) -> None:
        for name, value in values.items():
            self.put_scalar(name, value)

    def latest(self, name: str) -> float:
        return self._history[name][-1]

    def avg(self, name: str, window: int = 20) -> float:
        values = self._history[name][-window:]
        return sum(values) / len(values) if values else float("nan")

    def names(self) -> list[str]:
        return list(self._history)

    def history(self, name: str) -> list[float]:
        return list(self._history[name])

    def clear(self, name: str) -> None:
        self._history.pop(name, None)
