"""`make demo` and `make test` say what they are doing before each slow, quiet install step.
A dry run (`make -n`) into an empty venv path lists the steps without running them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(target: str, venv: Path) -> list[str]:
    out = subprocess.run(
        ["make", "-n", "-C", str(REPO), target, f"VENV={venv}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.splitlines()


@pytest.mark.parametrize("target", ["demo", "test"])
def test_every_install_step_is_announced_first(target: str, tmp_path: Path):
    lines = dry_run(target, tmp_path / ".venv")
    slow = [i for i, line in enumerate(lines) if " -m venv " in line or " pip install " in line]
    assert len(slow) == 3  # the venv, the lock, warroom itself
    assert all(lines[i - 1].startswith("echo ") for i in slow), lines
    lock = lines[slow[1] - 1]
    assert f"installing the {target} lock into" in lock and "about a minute" in lock
