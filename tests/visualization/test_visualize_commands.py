"""``tools/visualize.py`` subcommands come from a registry: every registered one is listed and runs, one
registered from outside the package (this test module) too; the pictures never import the engines."""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pointcept.visualization.cli import COMMANDS, build_parser, main
from pointcept.visualization.commands import VISUALIZERS, command

REPO = Path(__file__).resolve().parents[2]
PACKAGE_COMMANDS = {"scene", "groupcontrast", "instances", "boxes"}
TEST_COMMAND = "test-echo-scene"


def _echo_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scene", required=True)


@command(TEST_COMMAND, "registered by a test module: prints its --scene", _echo_args)
def run_echo(args: argparse.Namespace) -> int:
    print(f"echo {args.scene}")
    return 3


def listed_commands(help_text: str) -> set[str]:
    """The subcommand names of an argparse ``--help`` (each begins a line indented by 4 spaces exactly)."""
    return set(re.findall(r"^    (\S+)", help_text, flags=re.MULTILINE))


def package_commands() -> set[str]:
    """The subcommands the package itself registers (not this test module's)."""
    return {name for name, cmd in VISUALIZERS.module_dict.items()
            if cmd.run.__module__.startswith("pointcept.")}


def test_tool_help_lists_every_registered_subcommand():
    env = dict(os.environ, OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, str(REPO / "tools" / "visualize.py"), "--help"], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert PACKAGE_COMMANDS <= package_commands()
    assert listed_commands(result.stdout) == package_commands()


def test_a_subcommand_registered_outside_the_package_is_listed_and_runs(capsys):
    assert TEST_COMMAND in VISUALIZERS and TEST_COMMAND in COMMANDS
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert listed_commands(capsys.readouterr().out) == package_commands() | {TEST_COMMAND}
    assert "prints its --scene" in build_parser().format_help()
    assert main([TEST_COMMAND, "--scene", "room_0001"]) == 3
    assert capsys.readouterr().out == "echo room_0001\n"


def test_a_subcommand_name_registers_once():
    with pytest.raises(KeyError, match=f"{TEST_COMMAND!r} is already registered .*{__name__}"):
        command(TEST_COMMAND, "again", _echo_args)(run_echo)
    with pytest.raises(KeyError, match="'scene' is already registered"):
        command("scene", "again", _echo_args)(run_echo)
    assert VISUALIZERS.get("scene").run.__module__ == "pointcept.visualization.scene"


def test_commands_is_a_read_only_view_of_the_registry():
    assert list(COMMANDS) == list(VISUALIZERS.module_dict)
    assert COMMANDS["boxes"] is VISUALIZERS.get("boxes")
    with pytest.raises(KeyError):
        COMMANDS["no-such-command"]
    with pytest.raises(TypeError):
        COMMANDS["mine"] = COMMANDS["boxes"]  # type: ignore[index]


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, function-level imports included (relative ones resolved)."""
    package = "pointcept." + ".".join(path.relative_to(REPO / "pointcept").with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            names.add(module)
    return names


def test_visualization_never_imports_the_engines_nor_cli_back():
    modules = sorted((REPO / "pointcept" / "visualization").glob("*.py"))
    assert modules
    for path in modules:
        imported = imported_modules(path)
        engines = {m for m in imported if m == "pointcept.engines" or m.startswith("pointcept.engines.")}
        assert not engines, path
        if path.name != "__init__.py":  # only the package imports the subcommand modules; nothing imports cli
            assert "pointcept.visualization.cli" not in imported, path
