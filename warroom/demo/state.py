"""What the demo world looks like right now, read back from moto like any client would."""

from __future__ import annotations

import time
from dataclasses import dataclass

from warroom.demo import resources as r
from warroom.demo.moto_host import DemoClients


@dataclass(frozen=True)
class WorldState:
    """One reading of the parts of production the scenarios key on."""

    backend_task_definition: str  # as the service reports it: "saas-backend:8" or an ARN
    backend_revision: int
    backend_version: str  # APP_VERSION of the running task definition
    backend_desired: int
    worker_desired: int
    ai_provider: str
    redis_automatic_failover: bool
    observed_at: float  # time.monotonic()

    @property
    def total_tasks(self) -> int:
        return self.backend_desired + self.worker_desired


def _revision_from(task_definition: str) -> int | None:
    # "saas-backend:8" or "arn:...:task-definition/saas-backend:8"; a bare family has none.
    tail = task_definition.rsplit("/", 1)[-1]
    _, _, revision = tail.rpartition(":")
    return int(revision) if revision.isdigit() else None


def observe(clients: DemoClients) -> WorldState:
    services = clients.ecs.describe_services(cluster=r.CLUSTER, services=list(r.SERVICES))
    by_name = {s["serviceName"]: s for s in services["services"]}
    backend = by_name[r.BACKEND_SERVICE]
    task_definition = str(backend["taskDefinition"])
    # The version comes from the definition itself, so a re-registered copy of a bad image is
    # as bad as the original.
    described = clients.ecs.describe_task_definition(taskDefinition=task_definition)
    definition = described["taskDefinition"]
    revision = _revision_from(task_definition) or int(definition["revision"])
    env = {
        item["name"]: item["value"]
        for container in definition["containerDefinitions"]
        for item in container.get("environment", [])
    }
    provider = clients.ssm.get_parameter(Name=r.AI_PROVIDER_PARAMETER)["Parameter"]["Value"]
    groups = clients.elasticache.describe_replication_groups(ReplicationGroupId=r.REDIS_GROUP)
    failover = groups["ReplicationGroups"][0].get("AutomaticFailover") == "enabled"
    return WorldState(
        backend_task_definition=task_definition,
        backend_revision=revision,
        backend_version=env.get("APP_VERSION", "unknown"),
        backend_desired=int(backend["desiredCount"]),
        worker_desired=int(by_name[r.WORKER_SERVICE]["desiredCount"]),
        ai_provider=provider.strip(),
        redis_automatic_failover=failover,
        observed_at=time.monotonic(),
    )
