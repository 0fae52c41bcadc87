"""`make sample-chart`: the README's sample post-mortem chart, regenerated from the demo world.

The bad deploy runs for real (moto, the health endpoint over HTTP, the console's own pollers and
flight recorder, a journal in a temp dir) at a quicker pace than `warroom demo`: 5-second
buckets, detection, acknowledgement and the rollback within a minute and a half. The chart the
export writes is copied to the path given (docs/sample-chart.svg).

    python -m warroom.demo.sample_chart docs/sample-chart.svg
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

BUCKET = timedelta(seconds=5)
POLL = timedelta(seconds=1)
FAIL_AFTER = 15.0  # seconds of a healthy world before the bad deploy
NOTICED_AFTER = 10.0  # seconds of 500s before someone declares
ROLLED_BACK_AFTER = 30.0  # seconds from the declaration to the rollback
HEALTHY_FOR = 20.0  # seconds recorded after the world healed


async def _wait(check: object, what: str, timeout: float = 120.0) -> None:
    assert callable(check)
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise SystemExit(f"sample chart: {what} did not happen within {timeout:g} s")
        await asyncio.sleep(0.1)


async def sample(out: Path) -> None:
    import boto3

    from warroom.config import load_config
    from warroom.demo import DemoWorld
    from warroom.model import Kind
    from warroom.recorder import Recorder, keep_recording
    from warroom.service import open_war_room
    from warroom.severity import Severity
    from warroom.sharing import SharedFeeds
    from warroom.sharing.hub import this_console
    from warroom.sources.ecs import EcsSnapshot

    said: set[str] = set()
    with (
        tempfile.TemporaryDirectory() as tmp,
        DemoWorld(
            "bad-deploy", FAIL_AFTER, Path(tmp), events=lambda line: said.add(line), rng_seed=20
        ) as world,
    ):
        config = load_config(str(world.write_config()))
        endpoints = tuple(replace(e, interval=POLL) for e in config.health.endpoints)
        config = replace(
            config,
            health=replace(config.health, endpoints=endpoints),
            ecs=replace(config.ecs, poll_interval=POLL) if config.ecs else None,
        )
        room = await open_war_room(config, Path(tmp) / "journal.db")
        recorder = Recorder(fine=BUCKET, coarse=BUCKET * 5)
        feeds = SharedFeeds(config, None, holder=this_console("demo"))
        feeds.polled = recorder.see
        seen = []  # the ECS feed's observations: the deploy and the rollback, as the console logs

        async def show() -> None:
            async for item in feeds.updates():
                if isinstance(item, EcsSnapshot):
                    seen.extend(item.observations)

        tasks = [
            asyncio.create_task(show()),
            asyncio.create_task(keep_recording(recorder, lambda: room, every=0.5)),
        ]
        try:
            await _wait(lambda: any("broken" in s for s in said), "the bad deploy")
            await asyncio.sleep(NOTICED_AFTER)
            incident = await room.declare("API returns 500s after deploy", Severity.SEV1)
            await asyncio.sleep(5)
            await room.log(Kind.ACKNOWLEDGED, "on it, rolling back", incident_id=incident)
            await asyncio.sleep(ROLLED_BACK_AFTER - 5)
            good = world.seeded.good_backend_revision
            boto3.client(
                "ecs", endpoint_url=world.endpoint_url, region_name="me-south-1"
            ).update_service(
                cluster="saas-prod", service="saas-backend", taskDefinition=f"saas-backend:{good}"
            )
            await _wait(lambda: any("healed" in s for s in said), "the heal")
            await room.log(Kind.MITIGATED, f"rolled back to saas-backend:{good}", incident_id=1)
            await asyncio.sleep(HEALTHY_FOR)
            for observation in seen:
                key = f"{observation.kind}:{observation.subject}"
                await room.observe(incident, key, observation.text, at=observation.at)
            await room.log(Kind.RESOLVED, "healthy again", incident_id=incident)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        path = await room.export_postmortem(incident, directory=Path(tmp))
        await room.close()
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path.with_suffix(".svg"), out)
    print(f"wrote {out}")


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m warroom.demo.sample_chart OUT.svg")
    asyncio.run(sample(Path(sys.argv[1])))


if __name__ == "__main__":
    main()
