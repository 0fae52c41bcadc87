"""The built wheel, installed away from the source tree as `pip install warroom` (or pipx) would:
templates and runbook ship inside, the CLI works from any directory, and `warroom[demo]` is
exactly what the demo needs.

Each venv is made once for the module, without system site packages. Instead of downloading, the
distributions the wheel's own metadata asks for (with or without the extra) are linked in from
this test environment, which `make` installed from the lock; nothing else is visible in there.
"""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from email.parser import HeaderParser
from importlib.metadata import Distribution, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import REPO, isolated_env

PIP = (sys.executable, "-m", "pip")
HINT = "warroom: the demo needs moto: pip install 'warroom[demo]'\n"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheels = tmp_path_factory.mktemp("wheels")
    # No build isolation: the locked hatchling in this environment builds it, offline.
    subprocess.run(
        [*PIP, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(REPO)],
        check=True,
        timeout=120,
    )
    (built,) = wheels.glob("warroom-*.whl")
    return built


def _wheel_requires(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(name).decode())
    return metadata.get_all("Requires-Dist") or []


def _wanted(requirement: Requirement, extras: frozenset[str]) -> bool:
    marker = requirement.marker
    return marker is None or any(marker.evaluate({"extra": e}) for e in extras | {""})


def dependency_closure(requires: list[str], extras: frozenset[str]) -> dict[str, Distribution]:
    """What `pip install warroom[extras]` would install, found among this environment's
    distributions; each must satisfy the range the wheel (or a dependency) declares."""
    found: dict[str, Distribution] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(Requirement(line), extras) for line in requires]
    while todo:
        requirement, active = todo.pop()
        if not _wanted(requirement, active):
            continue
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if name == "warroom" or key in seen:
            continue
        seen.add(key)
        dist = distribution(requirement.name)
        assert requirement.specifier.contains(dist.version, prereleases=True), (
            f"{requirement} is not met by the installed {dist.version}"
        )
        found[name] = dist
        todo += [(Requirement(line), key[1]) for line in dist.requires or []]
    return found


def link_into(site_packages: Path, dists: dict[str, Distribution]) -> None:
    """Each distribution's top-level modules and its .dist-info, as symlinks."""
    for dist in dists.values():
        assert dist.files is not None, f"{dist.metadata['Name']} has no RECORD"
        tops = {f.parts[0] for f in dist.files if f.parts[0] not in ("..", "__pycache__")}
        for top in tops:
            target = site_packages / top
            if not target.exists():
                target.symlink_to(Path(str(dist.locate_file(top))).resolve())


def make_venv(root: Path, wheel: Path, extras: frozenset[str]) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    subprocess.run(
        [*PIP, "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=120,
    )
    (site_packages,) = (root / "lib").glob("python3*/site-packages")
    link_into(site_packages, dependency_closure(_wheel_requires(wheel), extras))
    return root


@pytest.fixture(scope="module")
def bare_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install warroom`: the runtime dependencies only."""
    return make_venv(tmp_path_factory.mktemp("bare") / "venv", wheel, frozenset())


@pytest.fixture(scope="module")
def demo_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip install 'warroom[demo]'`."""
    return make_venv(tmp_path_factory.mktemp("demo") / "venv", wheel, frozenset({"demo"}))


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere"
    path.mkdir()
    return path


@pytest.fixture
def env(home: Path, tmp_path: Path) -> dict[str, str]:
    env = isolated_env(home, WARROOM_DB=str(tmp_path / "pkg.db"), TMPDIR=str(tmp_path))
    env.pop("PYTHONPATH")  # warroom comes from the venv alone
    return env


def run(venv: Path, env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "warroom"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_wheel_carries_templates_and_cli_works_from_another_directory(
    wheel: Path, bare_venv: Path, env: dict[str, str], elsewhere: Path
):
    names = zipfile.ZipFile(wheel).namelist()
    assert "warroom/templates/postmortem.md.j2" in names
    assert "warroom/runbook.toml" in names
    assert "warroom/ui/warroom.tcss" in names
    assert "warroom/ui/postmortem/postmortem.tcss" in names

    def ok(*args: str) -> str:
        proc = run(bare_venv, env, elsewhere, *args)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    where = subprocess.run(
        [str(bare_venv / "bin" / "python"), "-c", "import warroom; print(warroom.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=elsewhere,
        check=True,
    ).stdout
    assert where.startswith(str(bare_venv)), where
    assert ok("declare", "--title", "Packaged", "--severity", "SEV-2") == "INC-1\n"
    assert ok("event", "resolved", "fine").startswith("INC-1 resolved")
    exported = ok("export", "INC-1")
    assert exported.startswith("# Incident Post-Mortem: Packaged\n")
    assert "## Lessons Learned" in exported
    assert "13 steps" in ok("check")


def test_demo_without_its_extra_says_what_to_install(
    bare_venv: Path, env: dict[str, str], elsewhere: Path
):
    # Honest only if moto really is out of reach in there.
    probe = subprocess.run(
        [str(bare_venv / "bin" / "python"), "-c", "import moto"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "No module named 'moto'" in probe.stderr
    for args in (["demo"], ["demo", "--serve-only"]):
        proc = run(bare_venv, env, elsewhere, *args)
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", HINT), args
    # Listing the scenarios needs no moto.
    listed = run(bare_venv, env, elsewhere, "demo", "--list-scenarios")
    assert listed.returncode == 0 and "bad-deploy" in listed.stdout


def _lines(stream: Iterator[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


def test_demo_extra_serves_the_world_from_any_directory(
    demo_venv: Path, env: dict[str, str], elsewhere: Path
):
    listed = run(demo_venv, env, elsewhere, "demo", "--list-scenarios")
    assert listed.returncode == 0, listed.stderr
    assert "bad-deploy" in listed.stdout and "ai-provider-down" in listed.stdout

    world = subprocess.Popen(
        [str(demo_venv / "bin" / "warroom"), "demo", "--serve-only", "--scenario", "calm"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=elsewhere,
    )
    try:
        assert world.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_lines, args=(world.stdout, lines), daemon=True).start()
        seen: list[str] = []
        config = ""
        deadline = time.monotonic() + 60
        while not config:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail("no config path within 60 s:\n" + "".join(seen))
            seen.append(line)
            if line.startswith("  config "):
                config = line.split(maxsplit=1)[1].strip()
        # The config is printed once moto is up and seeded, i.e. the world has started; its
        # files go to the temp dir, never beside the source tree.
        assert Path(config).is_file() and Path(config).is_relative_to(env["TMPDIR"])
    finally:
        world.send_signal(signal.SIGTERM)
        try:
            world.wait(timeout=30)
        except subprocess.TimeoutExpired:
            world.kill()
            world.wait()
    assert world.returncode == 0, "".join(seen)
