"""Registries turn ``type="..."`` strings of a config into objects.

One :class:`Registry` per kind (models, datasets, transforms, hooks, ...). Unknown names fail with an error
that lists the closest registered names, so a typo in a config is found at build time, not mid-training.
"""

from __future__ import annotations

import copy
import difflib
import inspect
from typing import Any, Callable, Iterable, Mapping


def close_matches(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Closest spellings of ``word`` among ``candidates`` (case-insensitive), best first."""
    candidates = list(candidates)
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.5)
    return [lowered[h] for h in hits]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    hits = close_matches(word, candidates)
    return f" Did you mean: {', '.join(repr(h) for h in hits)}?" if hits else ""


class Registry:
    """A name -> class/function table with a ``build(cfg)`` that reads ``cfg["type"]``."""

    def __init__(self, name: str):
        self.name = name
        self._module_dict: dict[str, Callable] = {}

    def __repr__(self) -> str:
        return f"Registry(name={self.name!r}, items={sorted(self._module_dict)})"

    def __len__(self) -> int:
        return len(self._module_dict)

    def __contains__(self, key: str) -> bool:
        return key in self._module_dict

    @property
    def module_dict(self) -> dict[str, Callable]:
        return dict(self._module_dict)

    def names(self) -> list[str]:
        return sorted(self._module_dict)

    def register_module(
        self, name: str | None = None, module: Callable | None = None, force: bool = False
    ) -> Callable:
        """Register ``module`` under ``name`` (default: its ``__name__``); usable as a decorator."""

        def _register(obj: Callable) -> Callable:
            key = name or obj.__name__
            if not force and key in self._module_dict and self._module_dict[key] is not obj:
                raise KeyError(
                    f"{key!r} is already registered in registry {self.name!r} "
                    f"(by {self._module_dict[key].__module__}); pass force=True to replace it"
                )
            self._module_dict[key] = obj
            return obj

        if module is not None:
            return _register(module)
        return _register

    def get(self, key: str) -> Callable:
        if key not in self._module_dict:
            raise KeyError(
                f"{key!r} is not registered in registry {self.name!r}."
                f"{did_you_mean(key, self._module_dict)} Registered: {', '.join(self.names())}"
            )
        return self._module_dict[key]

    def build(self, cfg: Mapping[str, Any], /, **default_args: Any) -> Any:
        """Build ``cfg["type"](**rest, **default_args)``; the caller's config is never changed."""
        if not isinstance(cfg, Mapping):
            raise TypeError(f"{self.name}: config must be a dict with a 'type' key, got {type(cfg).__name__}")
        if "type" not in cfg:
            raise KeyError(f"{self.name}: config has no 'type' key: {dict(cfg)}")
        args = copy.deepcopy(dict(cfg))
        obj_type = args.pop("type")
        for key, value in default_args.items():
            args.setdefault(key, value)
        obj_cls = self.get(obj_type) if isinstance(obj_type, str) else obj_type
        if not callable(obj_cls):
            raise TypeError(f"{self.name}: type must be a registered name or a class, got {obj_type!r}")
        _check_arguments(self.name, obj_type, obj_cls, args)
        try:
            return obj_cls(**args)
        except Exception as error:  # keep the original type, add where it happened
            error.add_note(f"(while building {obj_type!r} from registry {self.name!r})")
            raise


def _check_arguments(registry: str, type_name: Any, obj_cls: Callable, args: dict) -> None:
    """Reject misspelled keyword arguments with the closest accepted names."""
    try:
        signature = inspect.signature(obj_cls)
    except (TypeError, ValueError):
        return
    params = signature.parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return
    accepted = [n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for key in args:
        if key not in accepted:
            raise TypeError(
                f"{registry}: {type_name!r} got an unexpected argument {key!r}."
                f"{did_you_mean(key, accepted)} Accepted: {', '.join(accepted)}"
            )
