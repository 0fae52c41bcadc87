"""Separate logins, one journal: a `[journal] group` shares the journal and every file beside it
with a Unix group (0660, directory 2770), and nobody else. Run with real users and a real group
(the tests run as root in CI and create them), each command forked as that user."""

from __future__ import annotations

import grp
import json
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from warroom.store import SqliteJournal
from warroom.ui.layout_state import LayoutState, save_layout, state_path

from .conftest import REPO, Result
from .helpers.forkserver import ForkServer

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("useradd") is None,
    reason="creates real Unix users and a group: needs root and useradd (as in CI)",
)


@dataclass
class Team:
    group: str
    alice: str
    bob: str
    carol: str  # not in the group
    shared: Path  # world-writable, like /tmp on a bastion


@pytest.fixture(scope="module")
def people() -> Iterator[tuple[str, list[str]]]:
    """A group `wroc…` with two members and a third login outside it, removed afterwards."""
    tag = uuid.uuid4().hex[:6]
    group = f"wroc{tag}"
    names = [f"wra{tag}", f"wrb{tag}", f"wrc{tag}"]
    subprocess.run(["groupadd", group], check=True)
    made: list[str] = []
    try:
        for name in names:
            extra = ["-G", group] if name != names[2] else []
            subprocess.run(["useradd", "-M", "-N", *extra, name], check=True)
            made.append(name)
        yield group, names
    finally:
        for name in made:
            subprocess.run(["userdel", name], check=False)
        subprocess.run(["groupdel", group], check=False)


@pytest.fixture
def team(people: tuple[str, list[str]]) -> Iterator[Team]:
    shared = Path(tempfile.mkdtemp(prefix="warroom-shared-"))
    shared.chmod(0o1777)
    try:
        yield Team(people[0], *people[1], shared)
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def as_user(forkserver: ForkServer, team: Team, user: str, *args: str) -> Result:
    """`warroom ARGS` as that login: no WARROOM_USER, no USER, so the name is the login's."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(team.shared),
        "XDG_CONFIG_HOME": str(team.shared / "no-config"),
        "PYTHONPATH": str(REPO),
        "WARROOM_CONFIG": str(team.shared / "warroom.toml"),
    }
    env.update({k: v for k, v in os.environ.items() if k.startswith(("LC_", "LANG", "PYTHON"))})
    env["PYTHONPATH"] = str(REPO)
    code, out, err = forkserver.run(
        "warroom", args, env=env, cwd=team.shared, timeout=60, user=user
    )
    return Result(code, out, err)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_two_logins_write_one_journal_and_a_third_is_told_why_not(team, forkserver):
    db = team.shared / "team" / "warroom.db"
    (team.shared / "warroom.toml").write_text(f'[journal]\ndb = "{db}"\ngroup = "{team.group}"\n')
    gid = grp.getgrnam(team.group).gr_gid

    declared = as_user(
        forkserver, team, team.alice, "declare", "--title", "500s", "--severity", "SEV-1"
    )
    assert declared.returncode == 0, declared.stderr
    assert mode(db) == 0o660 and db.stat().st_gid == gid
    assert mode(db.parent) == 0o2770 and db.parent.stat().st_gid == gid

    # Alice keeps it open with umask 077: SQLite's -wal and -shm are the team's all the same.
    holder = forkserver.spawn(
        "tests.helpers.holder",
        [str(db), team.group],
        env={"PYTHONPATH": str(REPO), "HOME": str(team.shared)},
        cwd=team.shared,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        user=team.alice,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        for suffix in ("-wal", "-shm"):
            companion = db.with_name(db.name + suffix)
            assert mode(companion) == 0o660 and companion.stat().st_gid == gid, suffix
        logged = as_user(forkserver, team, team.bob, "event", "note", "rolled back")
        assert logged.returncode == 0, logged.stderr
    finally:
        holder.send_signal(signal.SIGTERM)
        holder.communicate(timeout=30)

    outside = as_user(forkserver, team, team.carol, "list")
    assert outside.returncode == 1
    assert outside.stderr.count("\n") == 1 and "Traceback" not in outside.stderr
    assert team.carol in outside.stderr and team.group in outside.stderr

    shown = as_user(forkserver, team, team.bob, "show", "1", "--json")
    assert shown.returncode == 0, shown.stderr
    authors = [(e["kind"], e["author"]) for e in json.loads(shown.stdout)["events"]]
    assert authors == [("detected", team.alice), ("note", team.bob)]


def test_a_journal_open_to_everyone_is_refused_in_one_line(team, forkserver):
    db = team.shared / "warroom.db"
    (team.shared / "warroom.toml").write_text(f'[journal]\ndb = "{db}"\ngroup = "{team.group}"\n')
    assert as_user(forkserver, team, team.alice, "list").returncode == 0
    db.chmod(0o664)
    refused = as_user(forkserver, team, team.bob, "list")
    assert refused.returncode == 1
    assert refused.stderr == (
        f"warroom: refusing the journal {db}: it is open to everyone (mode 0664); "
        f"run chmod o-rwx {db}, or share it with a group ([journal] group)\n"
    )


async def test_the_feed_board_and_the_layout_are_shared_as_the_journal_is(team):
    db = team.shared / "j" / "warroom.db"
    gid = grp.getgrnam(team.group).gr_gid
    journal = await SqliteJournal.open(db, group=team.group)
    try:
        board = await journal.feed_board("fingerprint")
        board.close()
    finally:
        await journal.close()
    save_layout(db, "ana", LayoutState(incident=1))
    for path in (db.with_name(db.name + ".feeds"), state_path(db, "ana")):
        assert mode(path) == 0o660 and path.stat().st_gid == gid, path.name
