"""The flight recorder on the demo world, for real: its pollers against moto and the health
endpoint over HTTP, the recorder fed as the console feeds it, a real journal. The bad deploy is
recorded from before its detection to after the rollback; the impact window the post-mortem
states is the world's own failure window, within one poll; the chart's markers sit at the
journal's times; the export is byte-identical when made again."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3

from tests.conftest import eventually
from tests.test_demo import FAST, plain_aws  # noqa: F401 (the fixture: throwaway AWS keys)
from warroom.config import load_config
from warroom.demo import DemoWorld
from warroom.model import Kind
from warroom.recorder import Recorder, keep_recording
from warroom.service import open_war_room
from warroom.severity import Severity
from warroom.sharing import SharedFeeds
from warroom.sharing.hub import this_console
from warroom.telemetry import HEALTH

INTERVAL = 0.25  # seconds between health checks (the demo's own: 2 s)
SLOWEST = 2.0  # seconds: the bad deploy's slowest answer (scenarios.py)
ONE_POLL = timedelta(seconds=INTERVAL + SLOWEST + 0.25)  # a check's cycle, with some slack
BUCKET = timedelta(seconds=1)  # the recorder's buckets, a minute in production


async def test_the_bad_deploy_is_recorded_and_charted_at_the_journals_times(
    tmp_path: Path,
) -> None:
    said: dict[str, datetime] = {}

    def event(line: str) -> None:
        for word in ("broken", "healed"):
            if word in line:
                said.setdefault(word, datetime.now(UTC))

    with DemoWorld("bad-deploy", 2.0, tmp_path, events=event, **FAST) as world:
        config = load_config(str(world.write_config()))
        config = replace(
            config,
            health=replace(
                config.health,
                endpoints=tuple(
                    replace(e, interval=timedelta(seconds=INTERVAL))
                    for e in config.health.endpoints
                ),
            ),
            ecs=replace(config.ecs, poll_interval=timedelta(seconds=INTERVAL)),  # type: ignore[arg-type]
        )
        room = await open_war_room(config, tmp_path / "journal.db")
        recorder = Recorder(lead_in=timedelta(seconds=30), fine=BUCKET, coarse=5 * BUCKET)
        feeds = SharedFeeds(config, None, holder=this_console("ana"))
        feeds.polled = recorder.see

        async def show() -> None:
            async for _item in feeds.updates():
                pass

        tasks = [
            asyncio.create_task(show()),
            asyncio.create_task(keep_recording(recorder, lambda: room, every=0.2)),
        ]
        try:
            await eventually(lambda: "broken" in said, "the bad deploy breaking", timeout=20)
            # Someone declares once the console shows it failing.
            await eventually(lambda: recorder.failing, "a failing check seen", timeout=20)
            incident_id = await room.declare("API 500s after deploy", Severity.SEV1)
            await room.log(Kind.ACKNOWLEDGED, "on it", incident_id=incident_id)
            ecs = boto3.client("ecs", endpoint_url=world.endpoint_url, region_name="me-south-1")
            good = world.seeded.good_backend_revision
            ecs.update_service(
                cluster="saas-prod", service="saas-backend", taskDefinition=f"saas-backend:{good}"
            )
            await room.log(Kind.MITIGATED, f"rolled back to saas-backend:{good}", incident_id=1)
            await eventually(lambda: "healed" in said, "the rollback healing", timeout=20)
            healed = said["healed"]

            async def healthy_after_heal() -> bool:
                telemetry = await room.telemetry(await room.incident(incident_id))
                return any(
                    b.start > healed and b.values["checks"] and not b.values["failed"]
                    for b in telemetry.of(HEALTH)
                )

            deadline = asyncio.get_running_loop().time() + 20
            while not await healthy_after_heal():
                assert asyncio.get_running_loop().time() < deadline, "no healthy bucket recorded"
                await asyncio.sleep(0.1)
            await room.log(Kind.RESOLVED, "healthy again", incident_id=incident_id)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        incident = await room.incident(incident_id)
        telemetry = await room.telemetry(incident)
        detected = incident.milestones.detected
        assert detected is not None
        health = telemetry.of(HEALTH)
        # From before the detection (healthy, before the deploy) to after the rollback.
        assert health[0].start < said["broken"] < detected
        assert not health[0].values["failed"]
        assert health[-1].start > healed and not health[-1].values["failed"]
        # The impact the telemetry gives is the world's own failure window, within one poll.
        impact = telemetry.impact()
        assert impact is not None
        assert abs(impact.first_failing - said["broken"]) <= ONE_POLL
        assert abs(healed - impact.last_failing) <= ONE_POLL

        path = await room.export_postmortem(incident_id, directory=tmp_path)
        svg = path.with_suffix(".svg").read_text()
        marks = dict(re.findall(r'<line class="mark (\w+)"[^>]* data-at="([^"]+)"', svg))
        stamp = "%Y-%m-%dT%H:%M:%S.%fZ"
        m = incident.milestones
        for name in ("detected", "acknowledged", "mitigated", "resolved"):
            assert marks[name] == getattr(m, name).strftime(stamp)
        assert "Duration of impact: " in path.read_text()
        assert "from first to last failing health check" in path.read_text()
        first = path.read_bytes(), path.with_suffix(".svg").read_bytes()
        await room.export_postmortem(incident_id, directory=tmp_path)
        assert (path.read_bytes(), path.with_suffix(".svg").read_bytes()) == first
        await room.close()
