"""Python config files with ``_base_`` inheritance and checked command-line overrides.

A config file is plain Python; its top-level names (not starting with ``_``, not modules, functions or
classes) become config keys. ``_base_ = "x.py"`` or a list of files is loaded first, relative to the
config file; the child's dicts are merged into the bases' recursively, and a dict with ``_delete_=True``
replaces the inherited one instead. Two bases defining the same key is an error (which one should win
is ambiguous). Overrides ``a.b=1 c=[1,2]`` must name keys that exist (prefix ``+`` to add a new key), and
the resolved config is saved as ``config.py`` that reloads to the same values. An override that gives a
string to a key holding a number or a bool (``optimizer.lr=abc``) fails naming the key and the value.

A top-level name that the config file itself reads (``mean_sizes = [...]`` then ``model = dict(mean_sizes=
mean_sizes)``) is a *config variable*: it is kept as a key (as in Pointcept) but recorded in
:func:`config_variables`, so that the trainer's unknown-key warning does not flag it; ``config.py`` keeps the
record (``_config_variables_``) so a resumed run does not flag it either.

Configs are data (no imports). Three additions let them share blocks without copying them:

* *Private variables* (``_grid_size = 0.05``, any top-level ``_name`` but ``_base_``/``_overlay_``) are
  inherited and overridden like keys (and two bases defining one is an error too), but never become keys:
  they exist only while the config is assembled.
* *References*: a string that is exactly ``"${name}"`` (``"${name.key}"`` reaches into a dict) anywhere in
  a value is replaced, once every file is merged, by the final value of that top-level name, private or
  not; inside a list or tuple, ``"${*name}"`` splices the referenced list in. So a base can hold a
  transform list whose voxel size is ``"${_grid_size}"`` while a sibling or child base sets
  ``_grid_size``. Merging a dict into a reference fails (override the referenced variable instead); a
  reference that names nothing fails naming the place. Overrides (``--options``) apply to the resolved
  config: they do not re-resolve references.
* ``_overlay_ = ["x.py", ...]``: files merged, in order, over the merged ``_base_`` files before the
  file's own keys; unlike two bases, an overlay may set a key a base set (a preset over an inherited
  model, a CPU budget over a full-size run).

The saved ``config.py`` is resolved: every reference replaced, no private variable, every value written out.
"""

from __future__ import annotations

import ast
import copy
import difflib
import os
import pprint
import re
import types
from pathlib import Path
from typing import Any, Iterable

from .atomic import atomic_path
from .registry import did_you_mean

BASE_KEY = "_base_"
OVERLAY_KEY = "_overlay_"
DELETE_KEY = "_delete_"
VARIABLES_KEY = "_config_variables_"
#: ``"${name}"``, ``"${name.key}"``, ``"${*name}"``: the whole string, nothing around it
REFERENCE = re.compile(r"\$\{(\*?)([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\}")


class ConfigDict(dict):
    """A dict whose keys are also attributes; a missing attribute is an error, never a new empty key."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for key, value in self.items():
            super().__setitem__(key, _wrap(value))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}.{did_you_mean(name, self.keys())}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, _wrap(value))

    def __delattr__(self, name: str) -> None:
        del self[name]

    def __deepcopy__(self, memo: dict) -> "ConfigDict":
        return type(self)({k: copy.deepcopy(v, memo) for k, v in self.items()})

    def to_dict(self) -> dict:
        return _unwrap(self)


def _wrap(value: Any) -> Any:
    if isinstance(value, dict) and not isinstance(value, ConfigDict):
        return ConfigDict(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    return value


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_unwrap(v) for v in value)
    return value


class Config(ConfigDict):
    """The resolved config of one experiment; ``Config.fromfile(path)`` loads it."""

    @classmethod
    def fromfile(cls, path: str | os.PathLike) -> "Config":
        variables: set[str] = set()
        cfg = cls(load_resolved(Path(path).resolve(), variables))
        object.__setattr__(cfg, "_config_variables", frozenset(variables))
        return cfg

    def __deepcopy__(self, memo: dict) -> "Config":
        copied = super().__deepcopy__(memo)
        object.__setattr__(copied, "_config_variables", config_variables(self))
        return copied

    def merge_from_options(self, options: Iterable[str] | dict | None) -> "Config":
        """Apply ``key.sub=value`` overrides; values are parsed as Python literals where possible."""
        if not options:
            return self
        if isinstance(options, dict):
            items = list(options.items())
        else:
            items = [parse_option(o) for o in options]
        for key, value in items:
            set_by_dotted_key(self, key, value)
        return self

    def pretty_text(self) -> str:
        lines = []
        variables = sorted(config_variables(self) & set(self.keys()))
        if variables:
            lines.append(f"{VARIABLES_KEY} = {variables!r}  # config variables (read by the config itself)")
        for key, value in self.items():
            lines.append(f"{key} = {pprint.pformat(_unwrap(value), width=100, sort_dicts=False)}")
        return "\n".join(lines) + "\n"

    def dump(self, path: str | os.PathLike) -> None:
        """Write the config as Python (atomically) and check that it reloads to the same values."""
        with atomic_path(path) as tmp:
            tmp.write_text(self.pretty_text())
            if _unwrap(load_resolved(tmp.resolve(), set())) != _unwrap(self):
                raise ValueError(f"config written to {path} does not reload to the same values")


def config_variables(cfg: Any) -> frozenset[str]:
    """Top-level names the config files read themselves (helper variables such as ``mean_sizes``).

    Why: such a key is "used" although no trainer code reads it, so the unknown-key check must skip it.
    Empty for a config not loaded by :meth:`Config.fromfile`.
    """
    return frozenset(getattr(cfg, "__dict__", {}).get("_config_variables", frozenset()))


def unknown_keys(cfg: dict, known: Iterable[str]) -> list[tuple[str, str | None]]:
    """``(key, closest known key or None)`` for each top-level key that is neither known, private (``_x``)
    nor a config variable; the closest is a similar name (difflib) or the same name one level down
    (``lr`` -> ``optimizer.lr``).

    Why: a misspelled or unsupported key (``batchsize``) is otherwise ignored silently and the run uses the
    default; the caller warns about each.
    """
    known = set(known)
    variables = config_variables(cfg)
    out = []
    for key in cfg:
        if key in known or key in variables or str(key).startswith("_"):
            continue
        hits = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
        nested = [f"{k}.{key}" for k, v in cfg.items() if k in known and isinstance(v, dict) and key in v]
        out.append((key, hits[0] if hits else nested[0] if nested else None))
    return out


def parse_option(option: str) -> tuple[str, Any]:
    if "=" not in option:
        raise ValueError(f"override {option!r} must look like key=value (e.g. optimizer.lr=0.1)")
    key, raw = option.split("=", 1)
    return key.strip(), parse_value(raw.strip())


def parse_value(raw: str) -> Any:
    """``1`` -> int, ``[1,2]`` -> list, ``true``/``none`` -> bool/None, anything else stays a string."""
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw


def set_by_dotted_key(cfg: dict, dotted: str, value: Any) -> None:
    """Set ``a.b.0.c`` in nested dicts/lists; unknown keys fail naming the closest ones."""
    allow_new = dotted.startswith("+")
    parts = dotted.lstrip("+").split(".")
    node: Any = cfg
    walked: list[str] = []
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(walked) or "<root>"
        if isinstance(node, (list, tuple)):
            if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
                raise KeyError(f"override {dotted!r}: {where} is a list of {len(node)}; {part!r} is not an index")
            if last:
                if isinstance(node, tuple):
                    raise KeyError(f"override {dotted!r}: {where} is a tuple; replace it whole")
                check_override_type(dotted, node[int(part)], value)
                node[int(part)] = _wrap(value)
                return
            node = node[int(part)]
        elif isinstance(node, dict):
            if part not in node and allow_new and not last:
                node[part] = {}
            if part not in node and not (allow_new and last):
                hint = did_you_mean(part, node.keys()) or _nested_hint(part, node)
                raise KeyError(
                    f"override {dotted!r}: unknown key {part!r} in {where}.{hint}"
                    f" Use +{dotted} to add a new key."
                )
            if last:
                if part in node:
                    check_override_type(dotted, node[part], value)
                node[part] = _wrap(value)
                return
            node = node[part]
        else:
            raise KeyError(f"override {dotted!r}: {where} is a {type(node).__name__}, not a dict or list")
        walked.append(part)


def check_override_type(dotted: str, old: Any, new: Any) -> None:
    """Fail when an override turns a number or bool into a string (``optimizer.lr=abc``, ``epoch=ten``).

    Why: :func:`parse_value` keeps anything that is not a Python literal as a string (paths must stay
    strings), so a mistyped number would otherwise surface much later as an unrelated ``TypeError``.
    """
    if not isinstance(new, str) or old is None:
        return
    if isinstance(old, bool):
        expected = "True or False"
    elif isinstance(old, (int, float)):
        expected = "a number"
    else:
        return
    raise ValueError(
        f"override {dotted}={new!r}: expected {expected} (the current value is {old!r}), got the string {new!r}"
    )


def _nested_hint(name: str, node: dict) -> str:
    """`` Did you mean: 'optimizer.lr'?`` when ``name`` is a key one level down (``lr=0.1`` for optimizer.lr)."""
    hits = [f"{key}.{name}" for key, value in node.items() if isinstance(value, dict) and name in value]
    return f" Did you mean: {', '.join(repr(h) for h in hits)}?" if hits else ""


def merge_dicts(base: dict, child: dict) -> dict:
    """Merge ``child`` into a copy of ``base``; a child dict with ``_delete_=True`` replaces instead."""
    merged = copy.deepcopy(dict(base))
    for key, value in child.items():
        if isinstance(value, dict) and not value.get(DELETE_KEY, False) and _reference(merged.get(key)):
            raise ValueError(
                f"config key {key!r} is the reference {merged[key]!r}: a dict cannot be merged into it; "
                f"override {_reference(merged[key])[1]!r} instead, or replace it with {key}=dict(_delete_=True, ...)"
            )
        if isinstance(value, dict) and value.get(DELETE_KEY, False):
            merged[key] = _strip_delete(value)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_dicts(merged[key], value)
        else:
            merged[key] = _strip_delete(value) if isinstance(value, dict) else copy.deepcopy(value)
    return merged


def _strip_delete(value: dict) -> dict:
    out = {}
    for k, v in value.items():
        if k == DELETE_KEY:
            continue
        out[k] = _strip_delete(v) if isinstance(v, dict) else copy.deepcopy(v)
    return out


def _read_names(tree: ast.AST) -> set[str]:
    """Names the config's code reads (``ast.Load``): its config variables."""
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def _is_private(name: str) -> bool:
    """A private config variable: ``_name``, but not a dunder nor one of the loader's own keys."""
    return (name.startswith("_") and not name.startswith("__")
            and name not in (BASE_KEY, OVERLAY_KEY, VARIABLES_KEY))


def _file_list(namespace: dict, key: str) -> list[str]:
    files = namespace.get(key, [])
    return [files] if isinstance(files, str) else list(files)


def _load_file(path: Path, chain: tuple[Path, ...], variables: set[str] | None = None) -> dict:
    """One config file merged over its bases and overlays: keys and private variables, references not resolved."""
    return merge_dicts(*_load_parts(path, chain, variables))


def _load_parts(path: Path, chain: tuple[Path, ...], variables: set[str] | None) -> tuple[dict, dict]:
    """``(bases and overlays merged, the file's own keys)``; the own keys keep their ``_delete_`` markers, so
    that a file applied as an overlay replaces what it replaces in the config it is laid over."""
    if not path.is_file():
        raise FileNotFoundError(f"config file not found: {path}")
    if path in chain:
        raise ValueError(f"config inheritance cycle: {' -> '.join(str(p) for p in chain + (path,))}")
    source = path.read_text()
    try:
        tree = ast.parse(source, filename=str(path))
        code = compile(tree, str(path), "exec")
    except SyntaxError as error:
        raise SyntaxError(f"config {path} has a syntax error: {error}") from error
    namespace: dict[str, Any] = {"__file__": str(path), "__name__": f"_config_{path.stem}"}
    exec(code, namespace)
    own = {
        k: v
        for k, v in namespace.items()
        if (not k.startswith("_") or _is_private(k))
        and not isinstance(v, (types.ModuleType, types.FunctionType, type))
    }
    if variables is not None:
        variables.update(k for k in _read_names(tree) & set(own) if not k.startswith("_"))
        variables.update(str(v) for v in namespace.get(VARIABLES_KEY, ()) if isinstance(v, str))
    merged: dict = {}
    owners: dict[str, Path] = {}
    for base in _file_list(namespace, BASE_KEY):
        base_path = (path.parent / base).resolve()
        base_cfg = _load_file(base_path, chain + (path,), variables)
        for key in base_cfg:
            if key in owners:
                raise KeyError(
                    f"config {path}: key {key!r} is defined by two bases, {owners[key]} and {base_path}; "
                    "set it in one base only (or apply one of them as an _overlay_)"
                )
            owners[key] = base_path
        merged.update(base_cfg)
    for overlay in _file_list(namespace, OVERLAY_KEY):
        under, over = _load_parts((path.parent / overlay).resolve(), chain + (path,), variables)
        merged = merge_dicts(merge_dicts(merged, under), over)
    return merged, own


def load_resolved(path: Path, variables: set[str]) -> dict:
    """The config ``path`` as the run sees it: merged, every reference resolved, private variables dropped.

    Why one function: :meth:`Config.fromfile` and the reload check of :meth:`Config.dump` must agree.
    Public names that a reference reads whole (``"${mean_sizes}"``, not ``"${data.num_classes}"``) are added
    to ``variables``: they are config variables.
    """
    return resolve_references(_load_file(path, chain=(), variables=variables), variables)


def _reference(value: Any) -> tuple[bool, str] | None:
    """``(splice, dotted name)`` when ``value`` is a reference string, else None."""
    if isinstance(value, str):
        match = REFERENCE.fullmatch(value)
        if match:
            return bool(match.group(1)), match.group(2)
    return None


def resolve_references(merged: dict, variables: set[str] | None = None) -> dict:
    """Replace every ``"${name}"`` in the public keys of ``merged`` by the (resolved) value of ``name``;
    drop the private variables.

    Why at the end: a reference is late-bound, so a base's transform list sees the ``_grid_size`` that a
    sibling base or a child set, not the value at the time the base file ran.
    """
    done: dict[str, Any] = {}
    active: list[str] = []

    def lookup(dotted: str, where: str) -> Any:
        name, *keys = dotted.split(".")
        if name not in merged:
            raise KeyError(f"config reference '${{{dotted}}}' at {where}: no config variable {name!r}."
                           f"{did_you_mean(name, merged.keys())}")
        if name in active:
            raise ValueError(f"config references form a cycle: {' -> '.join(active + [name])}")
        if name not in done:
            active.append(name)
            done[name] = resolve(merged[name], name)
            active.pop()
        if variables is not None and not keys and not name.startswith("_"):
            variables.add(name)  # a key that exists to be referenced (mean_sizes), not part of a block
        value = done[name]
        for depth, key in enumerate(keys):
            if not isinstance(value, dict) or key not in value:
                path = ".".join([name, *keys[:depth]])
                raise KeyError(f"config reference '${{{dotted}}}' at {where}: {path} has no key {key!r}")
            value = value[key]
        return copy.deepcopy(value)

    def resolve(value: Any, where: str) -> Any:
        ref = _reference(value)
        if ref is not None:
            splice, dotted = ref
            if splice:
                raise ValueError(f"config reference '${{*{dotted}}}' at {where}: splices into a list only")
            return lookup(dotted, where)
        if isinstance(value, dict):
            return {k: resolve(v, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            items: list = []
            for i, item in enumerate(value):
                ref = _reference(item)
                if ref is not None and ref[0]:
                    spliced = lookup(ref[1], f"{where}[{i}]")
                    if not isinstance(spliced, (list, tuple)):
                        raise TypeError(f"config reference '${{*{ref[1]}}}' at {where}[{i}]: "
                                        f"expected a list to splice, got {type(spliced).__name__}")
                    items.extend(spliced)
                else:
                    items.append(resolve(item, f"{where}[{i}]"))
            return type(value)(items)
        return value

    return {k: resolve(v, k) for k, v in merged.items() if not _is_private(k)}
