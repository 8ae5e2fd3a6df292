"""Model registry and ``build_model(cfg)``, the one public way configs turn into models.

Model families that need an optional backend (sparse convolutions) may fail to import on some machines.
``pointcept.models`` still imports there; it records each missing family with :func:`mark_unavailable`, and
building one of its models then raises :class:`ModelUnavailableError` naming the backend to install, instead
of a bare "not registered" that would look like a typo in the config.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from pointcept.utils.registry import Registry

MODELS = Registry("models")

# model name -> why its family could not be imported on this machine
_UNAVAILABLE: dict[str, str] = {}


class ModelUnavailableError(ImportError):
    """The model is known but its family could not be imported here (a backend is missing)."""


def mark_unavailable(names: Iterable[str], family: str, reason: str) -> None:
    """Record that ``names`` (models of ``family``) cannot be built on this machine, and why."""
    for name in names:
        _UNAVAILABLE[name] = f"model family {family!r} is unavailable: {reason}"


def unavailable_models() -> dict[str, str]:
    """Models that are known but cannot be built here, with the reason."""
    return dict(_UNAVAILABLE)


def build_model(cfg: Mapping[str, Any], /, **default_args: Any) -> Any:
    """Build a model from ``dict(type=..., ...)``; the caller's config is deep-copied, never changed."""
    name = cfg.get("type") if isinstance(cfg, Mapping) else None
    if isinstance(name, str) and name not in MODELS and name in _UNAVAILABLE:
        raise ModelUnavailableError(f"cannot build model {name!r}: {_UNAVAILABLE[name]}")
    return MODELS.build(cfg, **default_args)  # Registry.build deep-copies cfg


__all__ = ["MODELS", "build_model", "ModelUnavailableError", "mark_unavailable", "unavailable_models"]
