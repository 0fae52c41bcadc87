"""The ECS feed: services' counts, task definitions, deployments and events, the rollback target,
and observations of what changed between two polls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from warroom.config import EcsConfig
from warroom.model import EcsChange
from warroom.sanitize import safe_line
from warroom.sources.aws import AwsClients
from warroom.sources.status import SourceStatus, describe_error, poll_every
from warroom.timeutil import utcnow

BATCH = 10  # describe_services takes at most ten services per call
EVENTS = 5


@dataclass(frozen=True)
class Deployment:
    id: str
    status: str  # PRIMARY, ACTIVE, INACTIVE
    rollout_state: str  # IN_PROGRESS, COMPLETED, FAILED ("" when ECS does not say)
    task_definition: str  # family:revision
    desired: int
    running: int
    pending: int
    failed: int
    created_at: datetime | None


@dataclass(frozen=True)
class ServiceEvent:
    at: datetime | None
    message: str


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    found: bool
    status: str = ""  # ACTIVE, DRAINING, INACTIVE, or MISSING
    desired: int = 0
    running: int = 0
    pending: int = 0
    task_definition: str = ""  # family:revision
    deployments: tuple[Deployment, ...] = ()
    events: tuple[ServiceEvent, ...] = ()
    rollback_target: str | None = None  # the previous ACTIVE revision of the family

    @property
    def revision(self) -> int | None:
        _, _, rev = self.task_definition.rpartition(":")
        return int(rev) if rev.isdigit() else None

    @property
    def rollout(self) -> str:
        primary = next((d for d in self.deployments if d.status == "PRIMARY"), None)
        return primary.rollout_state if primary else ""


@dataclass(frozen=True)
class Observation:
    """A change worth a line on the timeline, noticed by a feed."""

    at: datetime
    source: str
    subject: str
    kind: str
    text: str


@dataclass(frozen=True)
class EcsSnapshot:
    at: datetime
    cluster: str
    services: tuple[ServiceStatus, ...]
    source: SourceStatus
    observations: tuple[Observation, ...] = ()


def family_revision(arn: str) -> str:
    """arn:aws:ecs:...:task-definition/saas-backend:9 -> saas-backend:9"""
    return arn.rsplit("/", 1)[-1]


def _deployment(raw: dict[str, Any]) -> Deployment:
    return Deployment(
        id=raw.get("id", ""),
        status=raw.get("status", ""),
        rollout_state=raw.get("rolloutState", ""),
        task_definition=family_revision(raw.get("taskDefinition", "")),
        desired=raw.get("desiredCount", 0),
        running=raw.get("runningCount", 0),
        pending=raw.get("pendingCount", 0),
        failed=raw.get("failedTasks", 0),
        created_at=raw.get("createdAt"),
    )


def _service(raw: dict[str, Any]) -> ServiceStatus:
    return ServiceStatus(
        name=raw.get("serviceName", ""),
        found=raw.get("status") != "INACTIVE",
        status=raw.get("status", ""),
        desired=raw.get("desiredCount", 0),
        running=raw.get("runningCount", 0),
        pending=raw.get("pendingCount", 0),
        task_definition=family_revision(raw.get("taskDefinition", "")),
        deployments=tuple(_deployment(d) for d in raw.get("deployments", ())),
        events=tuple(
            ServiceEvent(e.get("createdAt"), safe_line(e.get("message", ""), limit=300))
            for e in raw.get("events", ())[:EVENTS]
        ),
    )


def previous_revision(ecs: Any, task_definition: str) -> str | None:
    """The highest ACTIVE revision of the family below `family:rev`: the rollback target."""
    family, _, rev = task_definition.rpartition(":")
    current = int(rev)
    older: list[int] = []
    for page in ecs.get_paginator("list_task_definitions").paginate(
        familyPrefix=family, status="ACTIVE", sort="DESC"
    ):
        for arn in page.get("taskDefinitionArns", []):
            name, _, number = family_revision(arn).rpartition(":")
            if name == family and int(number) < current:
                older.append(int(number))
    return f"{family}:{max(older)}" if older else None


def observe(previous: EcsSnapshot | None, current: EcsSnapshot) -> tuple[Observation, ...]:
    """What changed since the last good snapshot; nothing on the first one (a baseline)."""
    if previous is None:
        return ()
    before = {s.name: s for s in previous.services}
    found: list[Observation] = []

    def note(service: ServiceStatus, kind: str, text: str) -> None:
        found.append(Observation(current.at, "ecs", service.name, kind, text))

    for now in current.services:
        old = before.get(now.name)
        if old is None or not now.found:
            continue
        if old.task_definition != now.task_definition:
            note(
                now,
                EcsChange.TASK_DEFINITION_CHANGED,
                f"{now.name} task definition {old.task_definition} -> {now.task_definition}",
            )
        old_ids = {d.id for d in old.deployments}
        for dep in now.deployments:
            if dep.status == "PRIMARY" and dep.id not in old_ids:
                note(
                    now,
                    EcsChange.DEPLOYMENT_STARTED,
                    f"{now.name} deployment started: {dep.task_definition}",
                )
        old_states = {d.id: d.rollout_state for d in old.deployments}
        for dep in now.deployments:
            if (
                dep.rollout_state in ("COMPLETED", "FAILED")
                and old_states.get(dep.id) == "IN_PROGRESS"
            ):
                note(
                    now,
                    EcsChange(f"deployment_{dep.rollout_state.lower()}"),
                    f"{now.name} deployment {dep.rollout_state.lower()}: {dep.task_definition}",
                )
        was_short = old.running < old.desired
        is_short = now.running < now.desired
        if is_short and not was_short:
            note(
                now,
                EcsChange.BELOW_DESIRED,
                f"{now.name} running {now.running}/{now.desired}, below desired",
            )
        elif was_short and not is_short:
            note(now, EcsChange.AT_DESIRED, f"{now.name} running {now.running}/{now.desired} again")
    return tuple(found)


class EcsFeed:
    def __init__(
        self,
        config: EcsConfig,
        clients: AwsClients,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.config = config
        self._clients = clients
        self._clock = clock
        self._status = SourceStatus(f"ECS {config.cluster}")
        self._rollback_cache: dict[str, str | None] = {}
        self.last: EcsSnapshot | None = None

    def _fetch(self) -> tuple[ServiceStatus, ...]:
        """Blocking: run in a thread."""
        ecs = self._clients.client("ecs")
        names = list(self.config.services)
        services: dict[str, ServiceStatus] = {}
        for start in range(0, len(names), BATCH):
            answer = ecs.describe_services(
                cluster=self.config.cluster, services=names[start : start + BATCH]
            )
            for raw in answer.get("services", ()):
                status = _service(raw)
                services[status.name] = status
            for failure in answer.get("failures", ()):
                name = failure.get("arn", "").rsplit("/", 1)[-1]
                services[name] = ServiceStatus(name, False, failure.get("reason", "MISSING"))
        result = []
        for name in names:
            status = services.get(name) or ServiceStatus(name, False, "MISSING")
            if status.found and status.task_definition:
                status = replace(
                    status, rollback_target=self._rollback_target(ecs, status.task_definition)
                )
            result.append(status)
        return tuple(result)

    def _rollback_target(self, ecs: Any, task_definition: str) -> str | None:
        if task_definition not in self._rollback_cache:
            self._rollback_cache[task_definition] = previous_revision(ecs, task_definition)
        return self._rollback_cache[task_definition]

    async def poll(self) -> EcsSnapshot:
        """One poll; never raises for a source problem: the snapshot says what went wrong and
        keeps the last good services, whose age the status tells."""
        started = time.perf_counter()
        at = self._clock()
        try:
            services = await asyncio.to_thread(self._fetch)
        except Exception as exc:  # any failure of the source is shown, never raised
            elapsed = time.perf_counter() - started
            self._status = self._status.failed(at, describe_error(exc), elapsed)
            kept = self.last.services if self.last else ()
            return EcsSnapshot(at, self.config.cluster, kept, self._status)
        self._status = self._status.succeeded(at, time.perf_counter() - started)
        snapshot = EcsSnapshot(at, self.config.cluster, services, self._status)
        snapshot = replace(snapshot, observations=observe(self.last, snapshot))
        self.last = snapshot
        return snapshot

    def updates(self) -> AsyncIterator[EcsSnapshot]:
        return poll_every(self.poll, self.config.poll_interval.total_seconds())
