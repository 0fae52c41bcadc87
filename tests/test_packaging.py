"""A non-editable install works away from the source tree: templates and runbook ship inside."""

from __future__ import annotations

import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from .conftest import REPO, isolated_env


def test_wheel_carries_templates_and_cli_works_from_another_directory(tmp_path: Path, home: Path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            # hatchling comes with the test extras: no build env to set up, nothing downloaded.
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("warroom-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "warroom/templates/postmortem.md.j2" in names
    assert "warroom/runbook.toml" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    # The dependencies come from the test environment; warroom itself only from the wheel.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], *site.getsitepackages()}
    (Path(purelib) / "test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = isolated_env(home, WARROOM_DB=str(tmp_path / "pkg.db"))
    env.pop("PYTHONPATH")
    warroom = venv / "bin" / "warroom"

    def run(*args: str) -> str:
        proc = subprocess.run(
            [str(warroom), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=elsewhere,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    where = subprocess.run(
        [str(python), "-c", "import warroom; print(warroom.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), where
    assert run("declare", "--title", "Packaged", "--severity", "SEV-2") == "INC-1\n"
    assert run("event", "resolved", "fine").startswith("INC-1 resolved")
    exported = run("export", "INC-1")
    assert exported.startswith("# Incident Post-Mortem: Packaged\n")
    assert "## Lessons Learned" in exported
    assert "13 steps" in run("check")
