"""The demo world, for real: moto over HTTP, the health endpoint over HTTP, plain boto3 clients."""

from __future__ import annotations

import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from warroom.config import load_config
from warroom.demo import DemoWorld, list_scenarios, resources
from warroom.sources.aws import AwsClients

# A world whose failure is far away: everything before the failure can be checked on it.
QUIET_FAIL_AFTER = 3600.0
# The worlds that break and heal read themselves and write their logs four times a second (the
# demo's own pace is once a second and twice a second): heals show in a fraction of a second.
FAST = {"observe_interval": 0.25, "driver_tick": 0.25}
# A few of the world's readings: long enough for it to notice whatever changed.
SETTLE = 4 * FAST["observe_interval"]


def poll(check: Callable[[], Any], *, within: float, every: float = 0.1, what: str) -> Any:
    """Call `check` until it returns something truthy; fail naming `what` otherwise."""
    deadline = time.monotonic() + within
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    pytest.fail(f"{what}: not within {within:g} s (last seen: {last!r})")


@pytest.fixture(autouse=True)
def plain_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """What any AWS client on the box would have: throwaway keys, no profile of the user's."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def client(world: DemoWorld, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=world.endpoint_url,
        region_name=resources.REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def health(world: DemoWorld) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(world.health_url, timeout=5)
    return response, time.monotonic() - started


def messages(
    world: DemoWorld, group: str, pattern: str = "", since_ms: int = 0, until_ms: int | None = None
) -> list[str]:
    logs = client(world, "logs")
    args: dict[str, Any] = {"logGroupName": group, "startTime": since_ms}
    if until_ms is not None:
        args["endTime"] = until_ms
    if pattern:
        args["filterPattern"] = pattern
    return [event["message"] for event in logs.filter_log_events(**args)["events"]]


# One world for the checks that come before any failure, gone before the next world starts
# (moto's state is process-global).
@pytest.fixture(scope="class")
def quiet_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    with DemoWorld("bad-deploy", QUIET_FAIL_AFTER, tmp_path_factory.mktemp("demo")) as world:
        yield world


class TestBeforeTheFailure:
    """A bad-deploy world whose failure is an hour away."""

    def test_the_world_is_seeded_like_production(self, quiet_world: DemoWorld) -> None:
        world = quiet_world
        ecs = client(world, "ecs")
        services = ecs.describe_services(
            cluster="saas-prod", services=["saas-backend", "saas-worker"]
        )
        by_name = {s["serviceName"]: s for s in services["services"]}
        assert by_name["saas-backend"]["desiredCount"] == 3
        assert by_name["saas-backend"]["runningCount"] == 3
        assert by_name["saas-worker"]["desiredCount"] == 2
        backend_revision = by_name["saas-backend"]["taskDefinition"].rsplit(":", 1)[1]
        active = ecs.list_task_definitions(familyPrefix="saas-backend", status="ACTIVE")
        # The service runs the newest active revision, with older ones to roll back to.
        assert len(active["taskDefinitionArns"]) >= 2
        assert active["taskDefinitionArns"][-1].endswith(f"saas-backend:{backend_revision}")

        groups = client(world, "logs").describe_log_groups()["logGroups"]
        assert {"/prod/backend", "/prod/worker"} <= {g["logGroupName"] for g in groups}

        parameter = client(world, "ssm").get_parameter(Name="/saas-prod/ai/provider")
        assert parameter["Parameter"]["Value"] == "openai"

        redis = client(world, "elasticache").describe_replication_groups(
            ReplicationGroupId=resources.REDIS_GROUP
        )
        assert redis["ReplicationGroups"][0]["Status"] == "available"

        cognito = client(world, "cognito-idp")
        pool = cognito.list_user_pools(MaxResults=10)["UserPools"][0]
        assert pool["Name"] == resources.USER_POOL
        app_clients = cognito.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
        assert [c["ClientName"] for c in app_clients] == [resources.USER_POOL_CLIENT]

        secret = client(world, "secretsmanager").describe_secret(SecretId="saas-prod/db-password")
        assert secret["Name"] == "saas-prod/db-password"

    def test_a_calm_world_has_its_alarms_ok_with_metrics(self, quiet_world: DemoWorld) -> None:
        """Seeded like a real stack's, all OK; read through the console's own feed."""
        config = load_config(str(quiet_world.config_path))
        snapshot = poll(
            lambda: (s := alarm_snapshot(config)).alarms[0].values and s,
            within=10,
            what="the alarms' metrics",
        )
        assert [a.name for a in snapshot.alarms] == [
            "saas-prod-api-5xx",
            "saas-prod-api-p95-latency",
            "saas-prod-redis-cpu",
            "saas-prod-worker-errors",
        ]
        assert {a.state for a in snapshot.alarms} == {"OK"}

    def test_the_written_config_loads_and_points_at_the_world(
        self, quiet_world: DemoWorld, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        world = quiet_world
        assert world.config_path is not None
        config = load_config(str(world.config_path))
        assert config.aws.region == "me-south-1"
        assert config.aws.endpoint_url == world.endpoint_url
        assert config.ecs is not None and config.ecs.cluster == "saas-prod"
        assert config.ecs.services == ("saas-backend", "saas-worker")
        assert [g.name for g in config.logs.groups] == ["/prod/backend", "/prod/worker"]
        assert [e.url for e in config.health.endpoints] == [world.health_url]
        assert config.notify.channel == "none"

        # The keys live in the credentials file beside it (0600), never in the TOML.
        credentials = config.resolve_path(config.aws.credentials_file)
        assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
        assert "[default]" in credentials.read_text()
        assert "aws_secret_access_key" not in world.config_path.read_text()
        # The mitigations' targets are the world's own resources.
        assert config.mitigations.ai_provider_parameter == resources.AI_PROVIDER_PARAMETER
        assert config.mitigations.redis_replication_groups == (resources.REDIS_GROUP,)
        assert config.mitigations.cognito_user_pool_id == world.seeded.user_pool_id

        # warroom's own client factory reaches the world with it, whatever profile is exported.
        monkeypatch.setenv("AWS_PROFILE", "someone-elses-profile")
        ecs = AwsClients(config).client("ecs")
        found = ecs.describe_services(cluster="saas-prod", services=["saas-backend"])
        assert found["services"][0]["serviceName"] == "saas-backend"

    def test_calm_traffic_is_mostly_info_with_no_error(self, quiet_world: DemoWorld) -> None:
        world = quiet_world
        backend = poll(
            lambda: (lines := messages(world, "/prod/backend")) and len(lines) >= 6 and lines,
            within=10,
            what="six log lines in /prod/backend",
        )
        worker = poll(lambda: messages(world, "/prod/worker"), within=5, what="worker lines")
        info = [line for line in backend if " INFO [" in line]
        assert len(info) > len(backend) / 2, backend
        assert not [line for line in backend + worker if "ERROR" in line]
        assert messages(world, "/prod/backend", "ERROR") == []
        # Each line starts with its own UTC timestamp, like the runbook's production.
        assert backend[0][:4].isdigit() and backend[0][23:24] == "Z"

        for _ in range(3):
            response, _ = health(world)
            assert response.status_code == 200
            assert response.json()["status"] == "ok"
        # Healthy answers are meant to be fast (a wall-clock bound would fail on a busy machine).
        assert max(world.health_answer().latency_ms) < 500
        assert httpx.get(world.health_url.replace("/health", "/nope"), timeout=5).status_code == 404


def alarm_snapshot(config: Any) -> Any:
    """One poll of the console's alarms feed."""
    import asyncio

    from warroom.sources.alarms import AlarmFeed

    return asyncio.run(AlarmFeed(config.alarms, AwsClients(config)).poll())


def alarm_states(config: Any) -> dict[str, str]:
    return {a.name: a.state for a in alarm_snapshot(config).alarms}


def test_bad_deploy_breaks_on_schedule_and_a_rollback_heals_it(tmp_path: Path) -> None:
    with DemoWorld("bad-deploy", 1.0, tmp_path, **FAST) as world:
        good = world.seeded.good_backend_revision
        response, _ = health(world)
        assert response.status_code == 200

        config = load_config(str(world.config_path))
        poll(lambda: health(world)[0].status_code == 500, within=8, what="health turning to 500")
        # The next poll of the alarms after health broke finds the 5xx alarm fired.
        states = alarm_states(config)
        assert states["saas-prod-api-5xx"] == "ALARM"
        assert states["saas-prod-api-p95-latency"] == "ALARM"
        assert states["saas-prod-redis-cpu"] == "OK"
        response, took = health(world)
        assert response.status_code == 500
        assert response.json()["status"] == "error"
        assert took >= 0.75, f"a bad deploy answers slowly, this took {took:.3f} s"

        errors = poll(
            lambda: messages(world, "/prod/backend", "ERROR"),
            within=5,
            what="ERROR lines in /prod/backend",
        )
        assert "column orders.tenant_ref does not exist" in errors[0]
        # None stamped before the deploy: else a console would judge it against the revision before.
        assert world.fired_at is not None
        before = int(world.fired_at.timestamp() * 1000)
        assert messages(world, "/prod/backend", "ERROR", until_ms=before) == []

        # Any client's rollback heals it: here the plain boto3 call a runbook would make.
        ecs = boto3.client("ecs", endpoint_url=world.endpoint_url, region_name="me-south-1")
        ecs.update_service(
            cluster="saas-prod", service="saas-backend", taskDefinition=f"saas-backend:{good}"
        )
        healed_at = time.time()
        poll(
            lambda: health(world)[0].status_code == 200,
            within=12,
            what="health back to 200 after rolling back to saas-backend:" + str(good),
        )
        assert health(world)[0].json()["status"] == "ok"
        assert alarm_states(config)["saas-prod-api-5xx"] == "OK"

        # The flood stops: no ERROR line stamped a few readings of the world after the rollback.
        time.sleep(SETTLE)
        since = int((healed_at + SETTLE) * 1000)
        assert messages(world, "/prod/backend", "ERROR", since_ms=since) == []


def test_ai_provider_down_degrades_and_switching_provider_heals(tmp_path: Path) -> None:
    with DemoWorld("ai-provider-down", 1.0, tmp_path, **FAST) as world:
        body = poll(
            lambda: (r := health(world)[0]).json()["status"] == "degraded" and r.json(),
            within=8,
            what="health reporting the AI provider down",
        )
        assert body["checks"]["ai_provider"].startswith("timeout")
        assert "openai" in body["checks"]["ai_provider"]
        poll(
            lambda: [m for m in messages(world, "/prod/backend", "ERROR") if "AIProvider" in m],
            within=5,
            what="AI provider timeouts in /prod/backend",
        )

        ssm = boto3.client("ssm", endpoint_url=world.endpoint_url, region_name="me-south-1")
        ssm.put_parameter(
            Name="/saas-prod/ai/provider", Value="anthropic", Type="String", Overwrite=True
        )
        body = poll(
            lambda: (r := health(world)[0]).json()["status"] == "ok" and r.json(),
            within=12,
            what="health ok after switching the provider to anthropic",
        )
        assert body["ai_provider"] == "anthropic"
        assert health(world)[0].status_code == 200


def test_redis_down_breaks_and_enabling_failover_heals(tmp_path: Path) -> None:
    # db-overloaded works the same way (scale saas-worker back to 2); left out for run time.
    with DemoWorld("redis-down", 0.5, tmp_path, **FAST) as world:
        poll(lambda: health(world)[0].status_code == 503, within=6, what="redis-down: 503s")
        assert "redis.exceptions.ConnectionError" in health(world)[0].json()["checks"]["redis"]
        client(world, "elasticache").modify_replication_group(
            ReplicationGroupId="saas-redis", AutomaticFailoverEnabled=True, ApplyImmediately=True
        )
        poll(
            lambda: health(world)[0].status_code == 200,
            within=8,
            what="redis-down: health ok after enabling automatic failover",
        )


def test_a_failing_driver_reports_once_and_keeps_going(tmp_path: Path) -> None:
    reported: list[str] = []
    world = DemoWorld(
        "calm", 0, tmp_path, errors=reported.append, observe_interval=0.5, driver_tick=0.25
    )
    world.start()
    try:
        # Right after a reading of the world, so that none is half done when moto is wiped (it
        # would fail on a later call, a second distinct failure): the next is 0.5 s away.
        assert world.state is not None
        before = world.state.observed_at
        poll(
            lambda: world.state is not None and world.state.observed_at != before,
            within=5,
            every=0.005,
            what="a fresh reading of the world",
        )
        # Wipe moto under the world's feet: every later tick fails the same way.
        httpx.post(f"{world.endpoint_url}/moto-api/reset", timeout=10).raise_for_status()
        poll(lambda: len(reported) >= 2, within=5, what="the failures reported")
        time.sleep(SETTLE)  # more failing ticks
        assert len([m for m in reported if m.startswith("writing logs")]) == 1, reported
        assert len([m for m in reported if m.startswith("reading the world")]) == 1, reported
        assert all(t.is_alive() for t in world.threads)
        assert health(world)[0].status_code == 200  # the last good reading still answers
        with pytest.raises(RuntimeError, match="another demo world"):
            DemoWorld("calm", 0, tmp_path / "second").start()
    finally:
        world.stop()
    assert world.threads and not [t for t in world.threads if t.is_alive()]
    with pytest.raises(httpx.ConnectError):
        httpx.get(world.health_url, timeout=2)


def test_scenarios_are_listed_and_unknown_ones_refused(tmp_path: Path) -> None:
    listing = list_scenarios()
    for name in ("bad-deploy", "ai-provider-down", "calm"):
        assert name in listing
    with pytest.raises(ValueError, match="known scenarios"):
        DemoWorld("meteor-strike", 1, tmp_path)
