"""The ECS feed against moto's server over HTTP."""

from __future__ import annotations

import boto3

from warroom.config import AwsConfig, Config, EcsConfig
from warroom.sources.aws import AwsClients
from warroom.sources.ecs import EcsFeed

from .conftest import seed_ecs

REGION = "me-south-1"


def ecs_client(url: str):
    return boto3.client("ecs", region_name=REGION, endpoint_url=url)


def feed_for(url: str, *services: str, cluster: str = "saas-prod") -> EcsFeed:
    config = Config(aws=AwsConfig(region=REGION, endpoint_url=url))
    ecs = EcsConfig(cluster=cluster, services=services or ("saas-backend", "saas-worker"))
    return EcsFeed(ecs, AwsClients(config, connect_timeout=1, read_timeout=2))


async def test_snapshot_of_services(aws):
    seed_ecs(aws)
    snapshot = await feed_for(aws).poll()
    assert snapshot.source.ok and snapshot.source.reason == ""
    backend, worker = snapshot.services
    assert backend.name == "saas-backend" and backend.found
    assert backend.status == "ACTIVE"
    assert (backend.desired, backend.running, backend.pending) == (3, 3, 0)
    assert backend.task_definition == "saas-backend:3"
    assert backend.revision == 3
    assert backend.rollback_target == "saas-backend:2"
    assert backend.deployments and backend.deployments[0].task_definition == "saas-backend:3"
    assert worker.task_definition == "saas-worker:1"
    assert worker.rollback_target is None  # nothing to roll back to
    assert snapshot.observations == ()  # the first snapshot is the baseline


async def test_rollback_target_skips_deregistered_revisions(aws):
    seed_ecs(aws, revisions=4)
    ecs_client(aws).deregister_task_definition(taskDefinition="saas-backend:3")
    backend = (await feed_for(aws, "saas-backend").poll()).services[0]
    assert backend.rollback_target == "saas-backend:2"


async def test_more_than_ten_services_are_batched(aws):
    seed_ecs(aws)
    ecs = ecs_client(aws)
    names = [f"svc-{n:02d}" for n in range(13)]
    for name in names:
        ecs.create_service(cluster="saas-prod", serviceName=name, taskDefinition="saas-worker:1")
    snapshot = await feed_for(aws, *names).poll()
    assert [s.name for s in snapshot.services] == names
    assert all(s.found for s in snapshot.services)


async def test_changes_become_observations(aws):
    seed_ecs(aws)
    feed = feed_for(aws)
    await feed.poll()
    ecs_client(aws).update_service(
        cluster="saas-prod", service="saas-backend", taskDefinition="saas-backend:2"
    )
    snapshot = await feed.poll()
    kinds = {(o.subject, o.kind) for o in snapshot.observations}
    assert ("saas-backend", "task_definition_changed") in kinds
    texts = [o.text for o in snapshot.observations]
    assert "saas-backend task definition saas-backend:3 -> saas-backend:2" in texts
    assert (await feed.poll()).observations == ()  # each change is reported once


async def test_missing_service_and_missing_cluster(aws):
    seed_ecs(aws)
    snapshot = await feed_for(aws, "saas-backend", "saas-ghost").poll()
    assert snapshot.source.ok
    ghost = snapshot.services[1]
    assert ghost.name == "saas-ghost" and not ghost.found and ghost.status == "MISSING"

    gone = await feed_for(aws, cluster="saas-nope").poll()
    assert gone.source.ok is False
    assert gone.source.reason.startswith("not found")


async def test_moto_dies_and_comes_back(aws):
    from moto.server import ThreadedMotoServer

    private = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    private.start()
    host, port = private.get_host_and_port()
    url = f"http://{host}:{port}"
    seed_ecs(url)  # moto's state is per process: the same world behind both servers
    feed = feed_for(url)
    good = await feed.poll()
    assert good.source.ok
    private.stop()
    bad = await feed.poll()
    assert bad.source.ok is False
    assert bad.source.reason.startswith("connection refused")
    assert bad.source.last_ok_at == good.at
    assert bad.services == good.services  # last good data stays, with its age
    revived = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    revived.start()
    try:
        again = await feed.poll()
        assert again.source.ok and again.source.failures == 0
    finally:
        revived.stop()


async def test_missing_credentials(aws, monkeypatch, tmp_path):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    snapshot = await feed_for(aws).poll()
    assert snapshot.source.ok is False
    assert snapshot.source.reason.startswith("no AWS credentials")
