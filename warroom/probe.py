"""`warroom check`: every configured source probed once, as the runbook's Phase-1 diagnostics
(curl the health endpoint, describe the ECS services, tail the ERROR logs) in one command."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from warroom.config import Config
from warroom.sources.alarms import ALARM, OK, AlarmFeed
from warroom.sources.aws import AwsClients
from warroom.sources.ecs import EcsFeed
from warroom.sources.health import HealthFeed, HealthState
from warroom.sources.logs import LogTailer
from warroom.timeutil import short_duration


@dataclass(frozen=True)
class ProbeResult:
    source: str
    ok: bool
    state: str
    latency: float | None  # seconds
    detail: str


async def probe_health(config: Config) -> list[ProbeResult]:
    snapshot = await HealthFeed(config.health.endpoints, config.sla).probe()
    results = []
    for health in snapshot.endpoints:
        last = health.last
        parts = []
        if last is not None and last.status_code is not None:
            parts.append(f"HTTP {last.status_code}")
        if health.reason and not health.reason.startswith("HTTP"):
            parts.append(health.reason)
        elif last is not None and last.body_status:
            parts.append(f"status {last.body_status}")
        parts.append(health.url)
        results.append(
            ProbeResult(
                f"health {health.name}",
                health.state is HealthState.OK,
                health.state.value,
                last.latency if last else None,
                ", ".join(parts),
            )
        )
    return results


async def probe_ecs(config: Config, clients: AwsClients) -> list[ProbeResult]:
    if config.ecs is None:
        return []
    snapshot = await EcsFeed(config.ecs, clients).poll()
    source = snapshot.source
    if not source.ok:
        return [
            ProbeResult(f"ECS {config.ecs.cluster}", False, "failed", source.latency, source.reason)
        ]
    results = []
    for service in snapshot.services:
        if not service.found:
            results.append(
                ProbeResult(
                    f"ECS {service.name}",
                    False,
                    "failed",
                    source.latency,
                    f"service {service.status.lower()} in {config.ecs.cluster}",
                )
            )
            continue
        short = service.running < service.desired
        detail = (
            f"{service.running}/{service.desired} running, {service.pending} pending, "
            f"{service.task_definition}"
        )
        if service.rollout:
            detail += f", rollout {service.rollout}"
        if service.rollback_target:
            detail += f" (rollback target {service.rollback_target})"
        results.append(
            ProbeResult(
                f"ECS {service.name}",
                not short,
                "degraded" if short else "ok",
                source.latency,
                detail,
            )
        )
    return results


async def probe_logs(config: Config, clients: AwsClients) -> list[ProbeResult]:
    tailer = LogTailer(config.logs, clients)
    since = short_duration(config.logs.since)
    results = []
    for tail, (status, lines) in zip(tailer.groups, await tailer.probe(), strict=True):
        if not status.ok:
            results.append(
                ProbeResult(f"logs {tail.group}", False, "failed", status.latency, status.reason)
            )
            continue
        what = f"{tail.pattern!r} lines" if tail.pattern else "lines"
        if not lines:
            detail = f"no {what} in the last {since}"
        else:
            count = f"{len(lines)}+" if len(lines) >= 100 else str(len(lines))
            last = lines[-1]
            detail = f"{count} {what} in the last {since}; last {last.at:%H:%M:%S}: {last.message}"
        results.append(ProbeResult(f"logs {tail.group}", True, "ok", status.latency, detail[:160]))
    return results


_ALARM_STATE = {OK: "ok", ALARM: "ALARM", "INSUFFICIENT_DATA": "no data", "MISSING": "missing"}


async def probe_alarms(config: Config, clients: AwsClients) -> list[ProbeResult]:
    """Each watched alarm a row; one in ALARM (or missing) fails the check."""
    if not config.alarms.watched:
        return []
    snapshot = await AlarmFeed(config.alarms, clients).poll()
    source = snapshot.source
    if not source.ok:
        return [ProbeResult("CloudWatch alarms", False, "failed", source.latency, source.reason)]
    results = []
    for alarm in snapshot.alarms:
        since = f"since {alarm.since:%Y-%m-%d %H:%M:%S} UTC" if alarm.since else ""
        detail = "; ".join(part for part in (alarm.reason, since) if part)
        results.append(
            ProbeResult(
                f"alarm {alarm.name}",
                alarm.state not in (ALARM, "MISSING"),
                _ALARM_STATE.get(alarm.state, alarm.state.lower()),
                source.latency,
                detail[:160],
            )
        )
    if not results:
        what = " and ".join(
            part
            for part in (
                f"names {', '.join(config.alarms.names)}" if config.alarms.names else "",
                f"prefix {config.alarms.prefix!r}" if config.alarms.prefix else "",
            )
            if part
        )
        results.append(
            ProbeResult("CloudWatch alarms", False, "failed", source.latency, f"none with {what}")
        )
    return results


async def probe_all(config: Config) -> list[ProbeResult]:
    clients = AwsClients(config, connect_timeout=3, read_timeout=10)
    groups = await asyncio.gather(
        probe_health(config),
        probe_ecs(config, clients),
        probe_logs(config, clients),
        probe_alarms(config, clients),
    )
    return [result for group in groups for result in group]


def format_table(results: list[ProbeResult]) -> str:
    width = max([len(r.source) for r in results] + [6])
    lines = [f"{'SOURCE':<{width}}  {'STATE':<8} {'LATENCY':>8}  DETAIL"]
    for r in results:
        latency = f"{r.latency * 1000:.0f}ms" if r.latency is not None else "-"
        lines.append(f"{r.source:<{width}}  {r.state:<8} {latency:>8}  {r.detail}")
    return "\n".join(lines)
