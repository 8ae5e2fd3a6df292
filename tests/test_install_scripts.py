"""scripts/setup.sh and python_env.sh: which Python they install into, and open3d only on request."""

import os
import stat
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def resolve(env, cwd):
    out = subprocess.run(["bash", "-c", f". {ROOT}/scripts/python_env.sh && echo $PYTHON"], cwd=cwd, env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_python_env_precedence(tmp_path):
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "VIRTUAL_ENV")}
    assert resolve(base, tmp_path) == "python3"
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text("#!/bin/sh\n")
    (venv / "python").chmod(0o755)
    assert resolve(base, tmp_path) == str(venv / "python")
    active = tmp_path / "active" / "bin"
    active.mkdir(parents=True)
    (active / "python").write_text("#!/bin/sh\n")
    (active / "python").chmod(0o755)
    assert resolve({**base, "VIRTUAL_ENV": str(tmp_path / "active")}, tmp_path) == str(active / "python")
    assert resolve({**base, "VIRTUAL_ENV": str(tmp_path / "active"), "PYTHON": "/x/py"}, tmp_path) == "/x/py"


def stub_python(tmp_path):
    """A python that records ``-m pip install`` calls instead of running them, and runs everything else."""
    log = tmp_path / "pip.log"
    stub = tmp_path / "python"
    stub.write_text(f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "$@" >> {log}; exit 0; fi
exec {sys.executable} "$@"
""")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return stub, log


@pytest.mark.parametrize("with_open3d", [False, True])
def test_setup_installs_into_the_given_python_and_open3d_only_on_request(tmp_path, with_open3d):
    stub, log = stub_python(tmp_path)
    env = {**os.environ, "PYTHON": str(stub), "SKIP_APT": "1", "WITH_OPEN3D": "1" if with_open3d else "0"}
    out = subprocess.run(["bash", "scripts/setup.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"python: {stub}" in out.stdout
    calls = log.read_text()
    assert "-e .[test,open3d]" in calls if with_open3d else "-e .[test]" in calls
    assert ("open3d" in calls) == with_open3d
