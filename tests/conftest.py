from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.store import SqliteJournal

from .helpers.forkserver import ForkServer
from .helpers.loopback import Loopback

REPO = Path(__file__).resolve().parent.parent
HEALTH_PATH = "/api/v1/health"

T = TypeVar("T")


async def eventually(
    check: Callable[[], T], what: str, *, pilot: Any = None, timeout: float = 10.0
) -> T:
    """Poll `check` until it returns something truthy, and return that; fail naming `what` after
    `timeout` seconds. With a Textual `pilot`, the app settles between looks.

    Waiting on the condition itself, not a sleep sized for a production interval: done as soon
    as it holds, and a slow machine only makes it wait longer."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s (last seen: {result!r})")
        if pilot is not None:
            await pilot.pause(0.05)
        else:
            await asyncio.sleep(0.05)
    return result


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user with no config, no journal and a known name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        WARROOM_USER="ana",
        PYTHONPATH=str(REPO),
    )
    env.pop("SUDO_USER", None)
    env.update(extra)
    return env


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "journal" / "warroom.db"


@pytest.fixture(scope="session")
def forkserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForkServer]:
    """Forks real child processes from one interpreter that has imported warroom already."""
    server = ForkServer(isolated_env(tmp_path_factory.mktemp("zygote-home")), REPO)
    yield server
    server.close()


@pytest.fixture
def cli(home: Path, db: Path, forkserver: ForkServer) -> Callable[..., Result]:
    """Run `warroom ARGS` in a real child process, against the test's own journal."""

    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
        full_env = isolated_env(home, WARROOM_DB=str(db), **(env or {}))
        if not forkserver.can_fork(full_env):
            proc = subprocess.run(
                [sys.executable, "-m", "warroom", *args],
                capture_output=True,
                text=True,
                env=full_env,
                cwd=cwd or home,
                timeout=60,
            )
            return Result(proc.returncode, proc.stdout, proc.stderr)
        code, out, err = forkserver.run("warroom", args, env=full_env, cwd=cwd or home, timeout=60)
        return Result(code, out, err)

    return run


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 26, 3, 1, tzinfo=UTC))


@pytest.fixture
async def room(db: Path, clock: Clock) -> AsyncIterator[WarRoom]:
    journal = await SqliteJournal.open(db)
    room = WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock)
    yield room
    await room.close()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One in-process moto server over real HTTP on 127.0.0.1 for the whole run."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto server, emptied for this test, with throwaway credentials in the environment."""
    import httpx

    httpx.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "me-south-1")
    return moto_server


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    """A real HTTP server on 127.0.0.1 that answers what the test sets (see helpers/loopback)."""
    server = Loopback().start()
    yield server
    server.stop()


@pytest.fixture
def health_server(loopback: Loopback) -> Loopback:
    """The loopback server as a service's health endpoint: {"status": "ok"} until told otherwise."""
    loopback.path = HEALTH_PATH
    loopback.body = {"status": "ok"}
    return loopback


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
