"""Seed the empty moto world like the runbook's production, through plain boto3 calls."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from warroom.demo import resources as r
from warroom.demo.moto_host import DemoClients

ACCOUNT_ID = "123456789012"  # moto's default account
REGISTRY = f"{ACCOUNT_ID}.dkr.ecr.{r.REGION}.amazonaws.com"


@dataclass(frozen=True)
class Seeded:
    """What seeding created that later steps refer to by id."""

    backend_revisions: dict[str, int]  # version -> revision
    good_backend_revision: int
    worker_revision: int
    user_pool_id: str
    user_pool_client_id: str
    secret_arn: str


def task_definition_args(family: str, version: str, log_group: str) -> dict[str, Any]:
    """register_task_definition arguments for one version of a service (EC2: moto's FARGATE
    run_task fails)."""
    container = "app" if family == r.BACKEND_FAMILY else "worker"
    return {
        "family": family,
        "requiresCompatibilities": ["EC2"],
        "networkMode": "bridge",
        "containerDefinitions": [
            {
                "name": container,
                "image": f"{REGISTRY}/{family}:{version}",
                "cpu": 512,
                "memory": 1024,
                "essential": True,
                "environment": [
                    {"name": "APP_VERSION", "value": version},
                    {"name": "AI_PROVIDER_PARAMETER", "value": r.AI_PROVIDER_PARAMETER},
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": log_group,
                        "awslogs-region": r.REGION,
                        "awslogs-stream-prefix": "ecs",
                    },
                },
            }
        ],
    }


def register(clients: DemoClients, family: str, version: str, log_group: str) -> int:
    answer = clients.ecs.register_task_definition(
        **task_definition_args(family, version, log_group)
    )
    return int(answer["taskDefinition"]["revision"])


def _release_history(
    clients: DemoClients, family: str, versions: tuple[str, ...], log_group: str
) -> dict[str, int]:
    """Register every version in order; all but the newest few end up INACTIVE."""
    revisions = {v: register(clients, family, v, log_group) for v in versions}
    for version in versions[: -r.KEEP_ACTIVE]:
        clients.ecs.deregister_task_definition(taskDefinition=f"{family}:{revisions[version]}")
    return revisions


@contextmanager
def _running_count(count: int) -> Iterator[None]:
    """moto starts a new service with MOTO_ECS_SERVICE_RUNNING tasks running (default 0, which
    would look like an outage from the first second); the variable is read in this process."""
    name = "MOTO_ECS_SERVICE_RUNNING"
    before = os.environ.get(name)
    os.environ[name] = str(count)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def seed(clients: DemoClients) -> Seeded:
    ecs = clients.ecs
    ecs.create_cluster(clusterName=r.CLUSTER)
    backend = {
        v: register(clients, r.BACKEND_FAMILY, v, r.BACKEND_LOG_GROUP) for v in r.BACKEND_VERSIONS
    }
    worker = 0
    for version in r.WORKER_VERSIONS:
        worker = register(clients, r.WORKER_FAMILY, version, r.WORKER_LOG_GROUP)
    good = backend[r.BACKEND_VERSIONS[-1]]
    for service, family, revision, desired in (
        (r.BACKEND_SERVICE, r.BACKEND_FAMILY, good, r.BACKEND_DESIRED),
        (r.WORKER_SERVICE, r.WORKER_FAMILY, worker, r.WORKER_DESIRED),
    ):
        with _running_count(desired):
            ecs.create_service(
                cluster=r.CLUSTER,
                serviceName=service,
                taskDefinition=f"{family}:{revision}",
                desiredCount=desired,
                launchType="EC2",
            )

    for group in r.LOG_GROUPS:
        clients.logs.create_log_group(logGroupName=group)
        clients.logs.put_retention_policy(logGroupName=group, retentionInDays=30)
        clients.logs.create_log_stream(logGroupName=group, logStreamName=r.LOG_STREAMS[group])

    clients.elasticache.create_replication_group(
        ReplicationGroupId=r.REDIS_GROUP,
        ReplicationGroupDescription="sessions, rate limits and job queue for saas-prod",
        Engine="redis",
        EngineVersion="7.1",
        CacheNodeType="cache.t4g.medium",
        NumCacheClusters=2,
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
    )

    clients.ssm.put_parameter(
        Name=r.AI_PROVIDER_PARAMETER,
        Description=f"Active AI provider: one of {', '.join(r.AI_PROVIDERS)}",
        Value=r.DEFAULT_AI_PROVIDER,
        Type="String",
    )

    pool = clients.cognito.create_user_pool(PoolName=r.USER_POOL)["UserPool"]["Id"]
    app_client = clients.cognito.create_user_pool_client(
        UserPoolId=pool, ClientName=r.USER_POOL_CLIENT
    )["UserPoolClient"]["ClientId"]

    secret = clients.secrets.create_secret(
        Name=r.DB_SECRET,
        Description="saas-prod RDS master password",
        SecretString=secrets.token_urlsafe(24),  # fresh per run: nothing to leak or reuse
    )["ARN"]

    return Seeded(
        backend_revisions=backend,
        good_backend_revision=good,
        worker_revision=worker,
        user_pool_id=pool,
        user_pool_client_id=app_client,
        secret_arn=secret,
    )
