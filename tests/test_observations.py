"""What the feeds saw before an incident was declared: kept for the lookback, then written once,
at its own time, even before detection (a person's entry there is still refused)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.config import load_config
from warroom.errors import UserError
from warroom.model import Kind
from warroom.observations import RecentObservations, Seen
from warroom.service import WarRoom
from warroom.severity import Severity

from .conftest import REPO


def test_only_the_lookback_is_kept_and_given_once(clock):
    recent = RecentObservations(timedelta(minutes=15), limit=3)
    start = clock.now
    for minutes, key in [(0, "a"), (10, "b"), (20, "c"), (21, "d"), (22, "e"), (23, "f")]:
        recent.add(Seen(start + timedelta(minutes=minutes), key, key))
    assert len(recent) == 3  # a flapping endpoint stays bounded
    assert [s.key for s in recent.take(start + timedelta(minutes=37))] == ["e", "f"]
    assert recent.take(start + timedelta(minutes=24)) == []
    off = RecentObservations(timedelta(0))
    off.add(Seen(start, "a", "a"))
    assert off.take(start) == []


def test_the_example_config_looks_back_15_minutes():
    assert load_config(str(REPO / "config.example.toml")).console.lookback == timedelta(minutes=15)


async def test_an_earlier_observation_is_written_once_at_its_own_time(room: WarRoom, clock):
    incident_id = await room.declare("API 500s", Severity.SEV1)
    deployed = clock.now - timedelta(minutes=1)
    first = await room.observe(incident_id, "deployment_started:api", "deploy :9", at=deployed)
    # The same observation taken in by a second console: not written again.
    assert await room.observe(incident_id, "deployment_started:api", "deploy", at=deployed) is None
    assert first is not None and first.at == deployed
    assert first.recorded_at == clock.now and first.auto
    incident = await room.incident(incident_id)
    assert [e.kind for e in incident.events] == [Kind.OBSERVATION, Kind.DETECTED]
    assert incident.milestones.detected == clock.now  # detection stays when it was declared
    with pytest.raises(UserError, match="before the incident was detected"):
        await room.log(Kind.NOTE, "saw it", incident_id=incident_id, at=deployed)
