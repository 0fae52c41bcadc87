"""`warroom demo --serve-only`: run the demo world in the foreground until Ctrl+C or SIGTERM."""

from __future__ import annotations

import shlex
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from warroom.demo import resources as r
from warroom.demo.scenarios import SCENARIOS
from warroom.demo.world import DemoWorld

DEFAULT_SCENARIO = "bad-deploy"
DEFAULT_FAIL_AFTER = 30.0


def list_scenarios() -> str:
    width = max(len(name) for name in SCENARIOS)
    lines = [f"{name:<{width}}  {s.description}" for name, s in SCENARIOS.items()]
    return "\n".join(lines) + "\n"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M:%SZ")


def usage(world: DemoWorld) -> str:
    assert world.config_path is not None
    config = shlex.quote(str(world.config_path))
    aws = (
        f"AWS_ACCESS_KEY_ID={r.ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY={r.SECRET_ACCESS_KEY} "
        f"aws --endpoint-url {world.endpoint_url} --region {r.REGION}"
    )
    services = " ".join(r.SERVICES)
    if world.fires_at is not None:
        when = f"{world.fires_at:%Y-%m-%dT%H:%M:%SZ} (in {world.fail_after:g} s)"
    else:
        when = "never (no failure in this scenario)"
    lines = [
        f"warroom demo world is up; files in {world.workdir}",
        "",
        f"  config       {world.config_path}",
        f"  check it     warroom check --config {config}",
        f"  console      warroom --config {config}",
        f"  health       curl -s {world.health_url}",
        f"  AWS CLI      {aws} ecs describe-services --cluster {r.CLUSTER} --services {services}",
        f"               {aws} logs tail {r.BACKEND_LOG_GROUP} --since 10m --filter-pattern ERROR",
        "",
        f"  scenario     {world.scenario.name}: {world.scenario.description}",
        f"  fires at     {when}",
    ]
    if world.scenario.remedy:
        lines.append(f"  heals with   {aws} {world.remedy().removeprefix('aws ')}")
    lines += ["", "Ctrl+C to stop."]
    return "\n".join(lines) + "\n"


def serve_only(
    scenario: str = DEFAULT_SCENARIO,
    fail_after: float = DEFAULT_FAIL_AFTER,
    workdir: Path | None = None,
) -> int:
    """Start the world, print how to use it, and run until Ctrl+C or SIGTERM; returns 0."""
    stopping = threading.Event()

    def event(line: str) -> None:
        print(f"{_stamp(datetime.now(UTC))} {line}", flush=True)

    world = DemoWorld(scenario, fail_after, workdir, events=event)
    previous = _install_signal_handlers(lambda: stopping.set())
    try:
        with world:
            print(usage(world), flush=True)
            while not stopping.wait(0.5):
                pass
            print("stopping the demo world...", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        _restore_signal_handlers(previous)
    return 0


def _install_signal_handlers(on_signal: Callable[[], None]) -> dict[int, Any]:
    # Signal handlers can only be set from the main thread; elsewhere Ctrl+C stays the caller's.
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, frame: FrameType | None) -> None:
        on_signal()

    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    return previous


def _restore_signal_handlers(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
