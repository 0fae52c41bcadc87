"""Shared feeds: consoles of one journal watching the same sources run one set of pollers.

Several consoles' feed layers (warroom.sharing, as the console runs them) on one SQLite file,
against moto's server over HTTP; a leader in a real child process killed with SIGKILL; the
console itself through Pilot. What each console would show is what its feeds hand it."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from warroom.config import (
    AwsConfig,
    Config,
    ConsoleConfig,
    HealthConfig,
    HealthEndpoint,
    JournalConfig,
    LogGroupConfig,
    LogsConfig,
    UserConfig,
    load_config,
)
from warroom.service import open_war_room
from warroom.sharing import SharedFeeds, SharingChanged, console_feeds, sources_fingerprint
from warroom.sharing.hub import this_console
from warroom.sources.health import HealthSnapshot
from warroom.sources.logs import LogBatch
from warroom.store.feedboard import open_feed_board

from .conftest import REPO, eventually, isolated_env, rows
from .helpers.forkserver import ForkServer
from .test_log_feed import make_group, put

GROUP = "/prod/backend"


def sources(url: str, *groups: str, user: str = "ana", **console: Any) -> Config:
    return Config(
        user=UserConfig(name=user),
        aws=AwsConfig(region="me-south-1", endpoint_url=url),
        logs=LogsConfig(groups=tuple(LogGroupConfig(g) for g in groups or (GROUP,))),
        console=ConsoleConfig(**console),
    )


class Screen:
    """One console's view of its feeds: the log lines it would show, in order, and the rest."""

    def __init__(self, feeds: SharedFeeds) -> None:
        self.feeds = feeds
        self.lines: list[str] = []
        self.health: HealthSnapshot | None = None
        self.healths: list[HealthSnapshot] = []
        self.led_from = 0  # the first of `healths` after its role last changed
        self.roles: list[str] = []
        self._task: asyncio.Task[None] | None = None
        self.requests = 0
        # What this console sends AWS (a follower sends nothing).
        self.feeds.clients.client("logs", attempts=1).meta.events.register(
            "before-send.logs.FilterLogEvents", self._count
        )

    def _count(self, **_: Any) -> None:
        self.requests += 1

    def start(self) -> Screen:
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        async for item in self.feeds.updates():
            if isinstance(item, LogBatch):
                self.lines += [line.message for line in item.lines]
            elif isinstance(item, HealthSnapshot):
                self.health = item
                self.healths.append(item)
            elif isinstance(item, SharingChanged):
                self.roles.append(item.role)
                self.led_from = len(self.healths)

    async def stop(self) -> None:
        """As the console quits: the worker is cancelled."""
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    @property
    def role(self) -> str:
        return self.feeds.role


def feeds(config: Config, db: Path, **options: Any) -> SharedFeeds:
    board = open_feed_board(db, sources_fingerprint(config))
    options.setdefault("follow_every", 0.05)
    options.setdefault("renew_every", 0.1)
    return SharedFeeds(config, board, holder=this_console(config.user.name), **options)


def written(*numbers: int) -> list[str]:
    return [f"ERROR line {n}" for n in numbers]


def put_lines(url: str, *numbers: int) -> None:
    for n in numbers:  # one call each: the timestamps move on
        put(url, GROUP, f"ERROR line {n}")


async def test_followers_show_what_the_leader_polls_and_ask_aws_nothing(aws, db):
    make_group(aws, GROUP)
    put_lines(aws, 0)
    leader = Screen(feeds(sources(aws), db)).start()
    # What the flight recorder is fed (warroom.recorder): the polling console's own updates.
    recorded: dict[int, list[object]] = {}
    leader.feeds.polled = recorded.setdefault(0, []).append
    await eventually(lambda: leader.role == "leading", "the first console leading")
    followers = [Screen(feeds(sources(aws, user=f"f{n}"), db)).start() for n in range(3)]
    for n, f in enumerate(followers, 1):
        f.feeds.polled = recorded.setdefault(n, []).append
    for f in followers:
        await eventually(lambda f=f: f.role == "following", "the others following")
    put_lines(aws, 1, 2)
    for f in followers:
        await eventually(lambda f=f: f.lines == written(0, 1, 2), "every screen the same")
    assert leader.lines == written(0, 1, 2)
    assert leader.requests > 0
    assert [f.requests for f in followers] == [0, 0, 0]
    recorded_lines = [
        line.message for item in recorded[0] if isinstance(item, LogBatch) for line in item.lines
    ]
    assert recorded_lines == written(0, 1, 2)
    assert [recorded[n] for n in (1, 2, 3)] == [[], [], []]  # one recorder: the leader's
    for screen in (leader, *followers):
        await screen.stop()


async def test_a_leader_quitting_hands_over_at_once_without_gap_or_duplicate(aws, db):
    make_group(aws, GROUP)
    put_lines(aws, 0, 1)
    # A lease that would outlive the test: only its release lets the follower take over.
    leader = Screen(feeds(sources(aws), db, ttl=3600)).start()
    await eventually(lambda: leader.role == "leading", "leading")
    follower = Screen(feeds(sources(aws, user="bob"), db, ttl=3600)).start()
    await eventually(lambda: follower.lines == written(0, 1), "the follower caught up")
    put_lines(aws, 2)
    await leader.stop()  # `q`
    put_lines(aws, 3)
    await eventually(lambda: follower.role == "leading", "the follower taking over")
    put_lines(aws, 4)
    await eventually(lambda: follower.lines == written(0, 1, 2, 3, 4), "every line once")
    assert follower.roles == ["following", "leading"]
    await follower.stop()


async def test_a_hung_leader_is_replaced_and_steps_down_when_it_wakes(aws, db):
    """A leader that stops renewing (hung, or its clock stopped) loses the lease when it runs out;
    when it comes back its publications are refused, it follows, and shows nothing twice."""
    make_group(aws, GROUP)
    put_lines(aws, 0)
    leader = Screen(feeds(sources(aws), db, ttl=3600)).start()
    await eventually(lambda: leader.lines == written(0), "leading")
    # The other console's clock is past the lease: to it, the leader stopped renewing long ago.
    later = Screen(feeds(sources(aws, user="bob"), db, now=lambda: time.time() + 7200)).start()
    await eventually(lambda: later.role == "leading", "the lease taken over")
    await eventually(lambda: leader.role == "following", "the old leader stepping down")
    put_lines(aws, 1, 2)
    for screen in (leader, later):
        await eventually(lambda s=screen: s.lines == written(0, 1, 2), "no gap, no duplicate")
    requests = leader.requests
    put_lines(aws, 3)
    await eventually(lambda: leader.lines == written(0, 1, 2, 3), "following on")
    assert leader.requests == requests
    for screen in (leader, later):
        await screen.stop()


async def test_consoles_with_other_sources_do_not_share(aws, db):
    make_group(aws, GROUP)
    make_group(aws, "/prod/worker")
    backend = Screen(feeds(sources(aws), db)).start()
    worker = Screen(feeds(sources(aws, "/prod/worker", user="bob"), db)).start()
    await eventually(lambda: backend.role == worker.role == "leading", "each polling its own")
    put(aws, "/prod/worker", "ERROR worker line")
    put_lines(aws, 1)
    await eventually(lambda: worker.lines == ["ERROR worker line"], "the worker's line")
    await eventually(lambda: backend.lines == written(1), "the backend's line")
    for screen in (backend, worker):
        await screen.stop()


def test_the_fingerprint_names_the_sources():
    url = "http://127.0.0.1:1"
    env = {"AWS_DEFAULT_REGION": "me-south-1"}
    same = sources_fingerprint(sources(url, user="ana"), env)
    assert sources_fingerprint(sources(url, user="bob", export_on_close="never"), env) == same
    assert sources_fingerprint(sources(url, "/prod/worker"), env) != same
    assert sources_fingerprint(sources("http://127.0.0.1:2"), env) != same
    filtered = replace(sources(url), logs=replace(sources(url).logs, filter_pattern="WARN"))
    assert sources_fingerprint(filtered, env) != same
    assert sources_fingerprint(sources(url), {"AWS_DEFAULT_REGION": "eu-west-1"}) != same


async def test_sharing_switched_off_polls_alone(aws, db, room):
    make_group(aws, GROUP)
    put_lines(aws, 0)
    config = sources(aws, share_feeds=False)
    alone = Screen(await console_feeds(config, room)).start()
    await eventually(lambda: alone.lines == written(0), "its own poll")
    assert alone.roles == ["alone"] and alone.requests > 0
    assert not Path(f"{db}.feeds").exists()
    await alone.stop()


async def test_health_is_shared_and_its_window_carries_over(aws, db, health_server):
    endpoint = HealthEndpoint("api", health_server.url, interval=timedelta(seconds=0.2))
    config = replace(sources(aws), health=HealthConfig((endpoint,)))
    leader = Screen(feeds(config, db)).start()
    await eventually(
        lambda: leader.health and leader.health.endpoints[0].checks >= 3, "checks made"
    )
    follower = Screen(feeds(replace(config, user=UserConfig("bob")), db)).start()
    await eventually(lambda: follower.health is not None, "the health the leader saw")
    await leader.stop()
    await eventually(lambda: follower.role == "leading", "taken over")
    await eventually(lambda: len(follower.healths) > follower.led_from, "its own check")
    published = follower.healths[follower.led_from - 1].endpoints[0].checks
    own = follower.healths[follower.led_from].endpoints[0].checks
    assert published >= 3
    # Judged over the leader's checks and its own, not over a window started afresh.
    assert own == published + 1
    await follower.stop()


def write_config(path: Path, url: str) -> Path:
    path.write_text(
        f'[user]\nname = "lead"\n[aws]\nregion = "me-south-1"\nendpoint_url = "{url}"\n'
        f'[logs]\nfilter_pattern = "ERROR"\n[[logs.groups]]\nname = "{GROUP}"\n'
    )
    return path


@pytest.mark.parametrize("trial", range(2))
async def test_a_leader_killed_is_taken_over_with_no_line_lost_or_doubled(
    aws, db, tmp_path, home, forkserver: ForkServer, trial
):
    make_group(aws, GROUP)
    put_lines(aws, 0)
    config_path = write_config(tmp_path / "warroom.toml", aws)
    room = await open_war_room(load_config(str(config_path)), db)
    child = forkserver.spawn(
        "tests.helpers.feed_console",
        [str(config_path), str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=isolated_env(home),
    )
    assert child.stdout is not None
    assert json.loads(await asyncio.to_thread(child.stdout.readline)) == {"role": "leading"}
    follower = Screen(await console_feeds(load_config(str(config_path)), room)).start()
    try:
        await eventually(lambda: follower.lines == written(0), "following the child")
        assert follower.role == "following"
        put_lines(aws, 1, 2)
        await eventually(lambda: follower.lines == written(0, 1, 2), "what the child polled")
        put_lines(aws, 3)  # the child may or may not have polled it: either way, shown once
        child.send_signal(signal.SIGKILL)
        assert await asyncio.to_thread(child.wait, 30) == -signal.SIGKILL
        put_lines(aws, 4, 5)
        await eventually(lambda: follower.role == "leading", "the follower taking over")
        put_lines(aws, 6)
        await eventually(lambda: len(follower.lines) >= 7, "the lines after the kill")
        assert follower.lines == written(0, 1, 2, 3, 4, 5, 6)
        assert max(Counter(follower.lines).values()) == 1
    finally:
        child.kill()
        await follower.stop()
        await room.close()


def pane_lines(app: Any) -> list[str]:
    from warroom.ui.logpane import LogPane

    return [line.message for line in app.query_one(LogPane).lines]


async def test_the_console_leads_as_before_and_the_others_see_its_lines(aws, db, tmp_path, clock):
    from warroom.ui.app import WarRoomApp

    make_group(aws, GROUP)
    put_lines(aws, 0)
    config = replace(sources(aws), journal=JournalConfig(postmortem_dir=str(tmp_path / "pm")))
    app = WarRoomApp(config, db, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await eventually(lambda: pane_lines(app) == written(0), "its own poll", pilot=pilot)
        follower = Screen(feeds(sources(aws, user="bob"), db)).start()
        put_lines(aws, 1)
        await eventually(lambda: pane_lines(app) == written(0, 1), "on screen", pilot=pilot)
        await eventually(lambda: follower.lines == written(0, 1), "on the other console")
        assert follower.role == "following" and follower.requests == 0
        await follower.stop()
    # The console has quit (this process lives on): it gave the lease up, so the next console
    # takes over at once instead of waiting for it to run out.
    ((user, until),) = rows(Path(f"{db}.feeds"), "SELECT user, until FROM lease")
    assert user == "ana" and until <= time.time()


async def test_the_console_follows_and_takes_over_when_the_leader_quits(aws, db, tmp_path, clock):
    from warroom.ui.app import WarRoomApp

    make_group(aws, GROUP)
    put_lines(aws, 0)
    leader = Screen(feeds(sources(aws, user="lead"), db, ttl=3600)).start()
    await eventually(lambda: leader.role == "leading", "the other console leading")
    config = replace(sources(aws), journal=JournalConfig(postmortem_dir=str(tmp_path / "pm")))
    app = WarRoomApp(config, db, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await eventually(lambda: pane_lines(app) == written(0), "what it published", pilot=pilot)
        put_lines(aws, 1)
        await eventually(lambda: pane_lines(app) == written(0, 1), "following", pilot=pilot)
        await leader.stop()
        put_lines(aws, 2)
        await eventually(lambda: pane_lines(app) == written(0, 1, 2), "taken over", pilot=pilot)
        put_lines(aws, 3)
        await eventually(lambda: len(pane_lines(app)) >= 4, "its own polls", pilot=pilot)
        assert pane_lines(app) == written(0, 1, 2, 3)
    assert rows(Path(f"{db}.feeds"), "SELECT user FROM lease") == [("ana",)]


async def test_ecs_state_carries_over_so_a_change_across_the_takeover_is_observed(aws, db):
    """The new leader compares its first poll with the last published one: a deploy that lands
    while the feeds change hands is still seen, and is not taken as the baseline."""
    import boto3

    from warroom.config import EcsConfig
    from warroom.sources.ecs import EcsSnapshot

    from .conftest import seed_ecs

    seed_ecs(aws)
    # One poll each: the leader's, then the new leader's on taking over.
    ecs = EcsConfig("saas-prod", ("saas-backend",), poll_interval=timedelta(hours=1))
    config = replace(sources(aws), ecs=ecs, logs=LogsConfig())
    seen: list[EcsSnapshot] = []

    async def watch(feeds: SharedFeeds) -> None:
        async for item in feeds.updates():
            if isinstance(item, EcsSnapshot):
                seen.append(item)

    leader = asyncio.create_task(watch(feeds(config, db)))
    await eventually(lambda: seen, "the leader's poll")
    follower_feeds = feeds(replace(config, user=UserConfig("bob")), db)
    follower = asyncio.create_task(watch(follower_feeds))
    await eventually(lambda: len(seen) >= 2, "the follower reading it")
    boto3.client("ecs", region_name="me-south-1", endpoint_url=aws).update_service(
        cluster="saas-prod", service="saas-backend", taskDefinition="saas-backend:2"
    )
    leader.cancel()
    await asyncio.gather(leader, return_exceptions=True)
    await eventually(lambda: len(seen) >= 3, "the new leader's poll")
    assert follower_feeds.role == "leading"
    assert [o.text for o in seen[-1].observations] == [
        "saas-backend task definition saas-backend:3 -> saas-backend:2"
    ]
    assert all(not s.observations for s in seen[:-1])
    follower.cancel()
    await asyncio.gather(follower, return_exceptions=True)


async def test_a_board_that_cannot_be_opened_leaves_the_console_polling_alone(aws, db, room):
    make_group(aws, GROUP)
    put_lines(aws, 0)
    Path(f"{db}.feeds").mkdir()  # in the way of the board's file
    config = sources(aws)
    alone = Screen(await console_feeds(config, room)).start()
    await eventually(lambda: alone.lines == written(0), "its own poll")
    assert alone.roles == ["alone"]
    assert "feed board" in alone.feeds.alone_because
    await alone.stop()


async def test_a_leader_whose_board_fails_goes_on_polling_for_itself(aws, db):
    make_group(aws, GROUP)
    put_lines(aws, 0)
    leader = Screen(feeds(sources(aws), db)).start()
    await eventually(lambda: leader.lines == written(0), "leading")
    assert leader.feeds.board is not None
    leader.feeds.board.close()  # the file gone bad under it
    put_lines(aws, 1)
    await eventually(lambda: leader.role == "alone", "polling alone")
    put_lines(aws, 2)
    await eventually(lambda: len(leader.lines) >= 3, "its own polls")
    assert leader.lines == written(0, 1, 2)
    await leader.stop()


def test_a_snapshot_that_cannot_be_read_is_passed_over():
    """The board is data another console wrote (another version, a damaged file): what does not
    read as a snapshot is left out, never built from or raised on."""
    from datetime import UTC, datetime

    from warroom.feedboard import Reading
    from warroom.sharing.reader import BoardReader

    reader = BoardReader(sources("http://127.0.0.1:1"), lambda: datetime.now(UTC))
    bad = {
        "health": "not json",
        "ecs": '{"at": 5}',
        f"logs:{GROUP}": '{"name": "x", "ok": "yes"}',
        "logs:/prod/other": "{}",
    }
    assert reader.items(Reading((), bad, 0, 4)) == []
    assert reader.stamp_cursor == 4
