"""Alarms through the shared feeds: the console holding the feed lease polls CloudWatch, the
others read what it publishes, and a transition they all see is journaled once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from warroom.config import AlarmsConfig, AwsConfig, Config, UserConfig
from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.sharing import SharedFeeds
from warroom.sources.alarms import AlarmSnapshot
from warroom.store import SqliteJournal

from .conftest import eventually
from .test_alarms_feed import fire, seed_alarms
from .test_shared_feeds import feeds


async def test_the_leader_polls_alarms_and_a_transition_is_journaled_once(aws, db):
    seed_alarms(aws)
    config = Config(
        user=UserConfig("ana"),
        aws=AwsConfig(region="me-south-1", endpoint_url=aws),
        alarms=AlarmsConfig(prefix="saas-prod-", poll_interval=timedelta(seconds=1)),
    )
    seen: dict[str, list[AlarmSnapshot]] = {"ana": [], "bob": []}
    asked = {"ana": 0, "bob": 0}

    async def watch(name: str, shared: SharedFeeds) -> None:
        def count(**_: Any) -> None:
            asked[name] += 1

        shared.clients.client("cloudwatch").meta.events.register(
            "before-send.cloudwatch.DescribeAlarms", count
        )
        async for item in shared.updates():
            if isinstance(item, AlarmSnapshot):
                seen[name].append(item)

    leader = asyncio.create_task(watch("ana", feeds(config, db)))
    await eventually(lambda: seen["ana"], "the leader's poll")
    bob = Config(user=UserConfig("bob"), aws=config.aws, alarms=config.alarms)
    follower = asyncio.create_task(watch("bob", feeds(bob, db)))
    await eventually(lambda: seen["bob"], "the follower reading it")
    fire(aws, "saas-prod-api-5xx")
    for name in seen:
        await eventually(
            lambda name=name: any(s.observations for s in seen[name]), f"{name} seeing it fire"
        )
    assert asked["bob"] == 0 and asked["ana"] > 0  # one poller for both
    for task in (leader, follower):
        task.cancel()
    await asyncio.gather(leader, follower, return_exceptions=True)

    # Each console journals what it was shown: one entry, at the alarm's own time.
    async with WarRoom(await SqliteJournal.open(db), author="ana", runbook=load_runbook()) as room:
        incident = await room.declare("API 5xx", Severity.SEV1)
        for snapshots in seen.values():
            for o in (o for s in snapshots for o in s.observations):
                await room.observe(incident, f"{o.kind}:{o.subject}", o.text, at=o.at)
        entries = [e for e in (await room.incident(incident)).events if e.kind is Kind.OBSERVATION]
    fired = next(a for a in seen["bob"][-1].alarms if a.name == "saas-prod-api-5xx")
    assert [(e.text.split(":")[0], e.at) for e in entries] == [
        ("alarm saas-prod-api-5xx ALARM", fired.since)
    ]
