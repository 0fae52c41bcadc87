from __future__ import annotations

import asyncio
import gc
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import boto3
import pytest

from warroom.config import Config, JournalConfig, UserConfig
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.store import SqliteJournal

from .helpers.forkserver import ForkServer, Zygote
from .helpers.loopback import Loopback

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

REPO = Path(__file__).resolve().parent.parent
HEALTH_PATH = "/api/v1/health"

T = TypeVar("T")


async def eventually(
    check: Callable[[], T], what: str, *, pilot: Any = None, timeout: float = 30.0
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


def pytest_configure(config: pytest.Config) -> None:
    # A test process starts and drops hundreds of consoles: with Python's default thresholds the
    # collector's passes over that heap were ~12% of the suite's CPU. Fewer, larger young passes
    # (the garbage is the same; a console's own start-up objects are frozen by QuietCollector).
    gc.set_threshold(50_000, 20, 100)


def pytest_sessionfinish(session: pytest.Session) -> None:
    # What the consoles left is garbage the process's exit reclaims anyway; frozen, pytest's five
    # full collections at the end (looking for unraisable exceptions) skip it: they took ~9 s of
    # each worker's CPU, all at the tail of the run. Unraisable exceptions raised during a test
    # are still reported against that test.
    gc.freeze()


# --- order: the longest tests first -----------------------------------------------------------

# Single tests that run for tens of seconds (a real terminal, a demo world in real time, venvs
# built from the wheel): measured the longest, so they start first.
LONGEST_FIRST = ("test_e2e_tmux.py", "test_packaging.py", "test_demo_console.py", "test_demo.py")


def _weight(module: Any) -> int:
    name = Path(module.__file__).name
    if name in LONGEST_FIRST:
        return len(LONGEST_FIRST) - LONGEST_FIRST.index(name) + 1
    source = Path(module.__file__).read_text()
    return 1 if "run_test(" in source or "snap_compare(" in source else 0  # drives the console


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first, the quick ones last (a stable sort: each file keeps its order).

    Two workers share the run (`make test`: xdist, work stealing). Each starts on its half of this
    order and takes tests from the other's queue once its own is empty: with the short tests at
    the end, both are busy until the last seconds instead of one waiting on a long test."""
    weights: dict[Any, int] = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module not in weights:
            weights[module] = _weight(module)
    items.sort(key=lambda item: -weights.get(getattr(item, "module", None), 0))


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


# --- shared helpers: the journal as SQL, the console, moto's ECS ------------------------------


def rows(db: Path, sql: str) -> list[tuple]:
    """What the journal file holds, read with plain sqlite3 (not through warroom)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def console_config(tmp_path: Path, user: str = "ana", postmortems: str = "postmortems") -> Config:
    return Config(
        user=UserConfig(name=user),
        journal=JournalConfig(postmortem_dir=str(tmp_path / postmortems)),
    )


def app_for(
    tmp_path: Path,
    db: Path,
    clock: Callable[[], datetime],
    user: str = "ana",
    *,
    config: Config | None = None,
) -> WarRoomApp:
    """The console on the test's journal, with no live feeds, on the test's clock."""
    from warroom.ui.app import WarRoomApp  # Textual, only for the tests that drive the console

    config = config or console_config(tmp_path, user)
    return WarRoomApp(config, db, start_feeds=False, clock=clock)


def typed_fast(app: Any, text: str) -> None:
    """Keys as a terminal read hands them over when typed fast: all at once, none waited on.

    The console's type-ahead (warroom/ui/typeahead.py) takes them one at a time, in order, each
    where the key before left the focus. Where what each key does on its own is not the point,
    this types text without `pilot.press`'s wait for the app to look idle after every key (two
    idle checks of 20 ms or more per key)."""
    for char in text:
        key = {"\n": "enter", " ": "space"}.get(char, char)
        _send_key(app, key, None if char == "\n" else char)


def pressed_fast(app: Any, *keys: str) -> None:
    """Named keys (`ctrl+n`, `exclamation_mark`, `enter`) handed over like `typed_fast`'s. For
    a console with live feeds: `pilot.press` waits for the process to look idle after each key,
    which a process running the demo world never does (up to two seconds a key)."""
    names = {"exclamation_mark": "!"}
    for key in keys:
        _send_key(app, key, names.get(key, key if len(key) == 1 else None))


def _send_key(app: Any, key: str, char: str | None) -> None:
    from textual import events

    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def settle(pilot: Any, times: int = 6) -> None:
    for _ in range(times):
        await pilot.pause()


async def declare(
    pilot: Any, title: str = "API returns 500s after deploy", *, key_by_key: bool = False
) -> None:
    """Open (from watching) and send the console's declare form (SEV-1). With `key_by_key`
    (test_console.py's first test), as a user would: the title typed, each key waited on, SEV-1
    and the title clicked, enter. Else the title and SEV-1 are set at once and ctrl+s sends the
    form: typed and clicked, the form was laid out and drawn over the console again at each
    frame, for a set-up that most of the 57 tests using it do not look at."""
    from textual.widgets import Input, RadioButton

    from warroom.ui.dialogs import DeclareScreen

    if pilot.app.incident is None and not isinstance(pilot.app.screen, DeclareScreen):
        await pilot.press("ctrl+n")  # watching, with no incident open: one key away
        await pilot.pause()
    assert isinstance(pilot.app.screen, DeclareScreen)
    await pilot.click("#title")
    field = pilot.app.screen.query_one("#title", Input)
    if key_by_key:
        await pilot.press(*title)
        await eventually(lambda: field.value == title, "the title typed", pilot=pilot)
        await pilot.click("#sev1")
        await pilot.click("#title")
        await pilot.press("enter")
    else:
        field.value = title
        pilot.app.screen.query_one("#sev1", RadioButton).value = True
        await pilot.press("ctrl+s")
    await pilot.pause()


async def declared_before(
    db: Path, clock: Clock, title: str = "API returns 500s after deploy"
) -> int:
    """A SEV-1 declared by ana before the console opens, as another console or the CLI would;
    the console then opens on it. For tests to which the declare form is only a way to have
    an incident: a console that declares through the form spends 0.4-0.7 s more CPU."""
    from warroom.severity import Severity

    journal = await SqliteJournal.open(db)
    room = WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock)
    try:
        return await room.declare(title, Severity.SEV1)
    finally:
        await room.close()


async def opened_on_incident(pilot: Any) -> None:
    """The console shows the incident it opened on."""
    await eventually(lambda: pilot.app.incident is not None, "the incident shown", pilot=pilot)


def seed_ecs(url: str, revisions: int = 3) -> None:
    """saas-prod on moto: saas-backend at its last of `revisions` revisions (3 running), and
    saas-worker:1 (2 running)."""
    ecs = boto3.client("ecs", region_name="me-south-1", endpoint_url=url)
    ecs.create_cluster(clusterName="saas-prod")
    for _ in range(revisions):
        ecs.register_task_definition(
            family="saas-backend",
            containerDefinitions=[{"name": "api", "image": "api:latest", "memory": 512}],
            requiresCompatibilities=["EC2"],
        )
    ecs.register_task_definition(
        family="saas-worker",
        containerDefinitions=[{"name": "worker", "image": "worker:latest", "memory": 512}],
    )
    for name, task_definition, desired in (
        ("saas-backend", f"saas-backend:{revisions}", 3),
        ("saas-worker", "saas-worker:1", 2),
    ):
        # moto starts a service with $MOTO_ECS_SERVICE_RUNNING tasks running, read in-process.
        os.environ["MOTO_ECS_SERVICE_RUNNING"] = str(desired)
        try:
            ecs.create_service(
                cluster="saas-prod",
                serviceName=name,
                taskDefinition=task_definition,
                desiredCount=desired,
            )
        finally:
            os.environ.pop("MOTO_ECS_SERVICE_RUNNING", None)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "journal" / "warroom.db"


_ZYGOTE = pytest.StashKey[Zygote]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist's controller, as it starts each worker: one zygote for all of them (its imports
    cost a second and a half of CPU each time), started with the first and ended with the run."""
    config = node.config
    if _ZYGOTE not in config.stash:
        home = Path(tempfile.mkdtemp(prefix="warroom-zygote-home-"))
        config.stash[_ZYGOTE] = Zygote(isolated_env(home), REPO)
        config.add_cleanup(lambda: shutil.rmtree(home))
        config.add_cleanup(config.stash[_ZYGOTE].close)
    zygote = config.stash[_ZYGOTE]
    node.workerinput["warroom_zygote"] = {"path": zygote.path, "env": zygote.env}


@pytest.fixture(scope="session")
def forkserver(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ForkServer]:
    """Forks real child processes from one interpreter that has imported warroom already: the
    run's shared zygote under xdist, else one of this process's own."""
    shared = getattr(request.config, "workerinput", {}).get("warroom_zygote")
    if shared:
        yield ForkServer(shared["path"], shared["env"])
        return
    zygote = Zygote(isolated_env(tmp_path_factory.mktemp("zygote-home")), REPO)
    try:
        zygote.ready()
        yield ForkServer(zygote.path, zygote.env)
    finally:
        zygote.close()


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

    from warroom.demo.moto_host import share_botocore_data

    share_botocore_data()  # as the demo world does: moto starts on 0.5 s less CPU
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto server, emptied for this test, with throwaway credentials in the environment."""
    # urllib, not httpx: an httpx client loads the CA bundle for its TLS context, ~55 ms of
    # CPU before every AWS test (4% of the suite) for a plain-HTTP call to 127.0.0.1.
    reset = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=10):  # raises on an error status
        pass
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


class Notice(NamedTuple):
    title: str
    message: str
    severity: str


@pytest.fixture
def notices(monkeypatch: pytest.MonkeyPatch) -> list[Notice]:
    """Every notification the console shows, in order: recorded on the way to Textual's own
    `notify`, which still shows it (the app's private list of them stays private)."""
    from warroom.ui.app import WarRoomApp

    shown: list[Notice] = []
    original = WarRoomApp.notify

    def notify(app: WarRoomApp, message: str, *, title: str = "", **options: Any) -> None:
        shown.append(Notice(title, str(message), str(options.get("severity", "information"))))
        original(app, message, title=title, **options)

    monkeypatch.setattr(WarRoomApp, "notify", notify)
    return shown
