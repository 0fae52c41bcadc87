"""The runbook's mitigations end to end through the write path: moto over HTTP, a loopback
admin service, and botocore's Stubber where moto 5.2 falls short (ElastiCache test_failover is
not implemented; rotate_secret without a working rotation Lambda leaves AWSCURRENT empty)."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import boto3
import pytest
from botocore.stub import Stubber

from warroom.config import (
    AwsConfig,
    CommandAction,
    Config,
    EcsConfig,
    MitigationsConfig,
    TenantAdminConfig,
    UserConfig,
)
from warroom.errors import UserError
from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

from .conftest import seed_ecs
from .helpers.loopback import Loopback, Reply, Request

REGION = "me-south-1"


def client(service: str, url: str):
    return boto3.client(service, region_name=REGION, endpoint_url=url)


def make_config(url: str, **mitigations) -> Config:
    return Config(
        user=UserConfig(name="ana"),
        aws=AwsConfig(region=REGION, endpoint_url=url),
        ecs=EcsConfig(cluster="saas-prod", services=("saas-backend", "saas-worker")),
        mitigations=MitigationsConfig(**mitigations),
    )


@pytest.fixture
async def war(db, clock, aws):
    """A war room with an open incident, on a config pointing at moto."""
    rooms = []

    async def make(**mitigations) -> WarRoom:
        journal = await SqliteJournal.open(db)
        room = WarRoom(
            journal,
            author="ana",
            runbook=load_runbook(),
            clock=clock,
            config=make_config(aws, **mitigations),
        )
        if not await room.incidents():
            await room.declare("Prod on fire", Severity.SEV1)
        rooms.append(room)
        return room

    yield make
    for room in rooms:
        await room.close()


async def actions_logged(room: WarRoom) -> list[dict]:
    incident = await room.incident(1)
    return [e.data for e in incident.events if e.kind is Kind.ACTION]


def backend_task_definition(url: str) -> str:
    answer = client("ecs", url).describe_services(cluster="saas-prod", services=["saas-backend"])
    return answer["services"][0]["taskDefinition"].rsplit("/", 1)[-1]


async def test_rollback_to_the_previous_revision(war, aws):
    seed_ecs(aws)
    room = await war()
    action, plan = await room.plan_action("rollback", "saas-backend")
    assert plan.summary == "roll back saas-backend from saas-backend:3 to saas-backend:2"
    assert plan.confirm == "type"
    assert [c.describe() for c in plan.changes] == [
        "ECS service saas-backend task definition: saas-backend:3 -> saas-backend:2"
    ]
    outcome, event = await room.run_action(action, plan, confirmation="saas-backend")
    assert outcome.ok and outcome.request_id and outcome.http_status == 200
    assert backend_task_definition(aws) == "saas-backend:2"
    (logged,) = await actions_logged(room)
    assert logged["action"] == "rollback" and logged["target"] == "saas-backend"
    assert logged["ok"] is True and logged["request_id"] == outcome.request_id
    assert logged["params"]["previous"] == "saas-backend:3"
    assert event.author == "ana"
    assert event.text.startswith("roll back saas-backend from saas-backend:3 to saas-backend:2: ok")


async def test_wrong_typed_confirmation_and_read_only_change_nothing(war, aws):
    seed_ecs(aws)
    room = await war()
    action, plan = await room.plan_action("rollback", "saas-backend")
    with pytest.raises(UserError, match="confirmation does not match"):
        await room.run_action(action, plan, confirmation="saas-backnd")
    with pytest.raises(UserError, match="confirmation does not match"):
        await room.run_action(action, plan, confirmation=True)
    assert await actions_logged(room) == []  # a slip of the keyboard is not an attempt

    # Read-only: a real attempt, refused, and on the timeline as such.
    outcome, event = await room.run_action(
        action, plan, confirmation="saas-backend", read_only=True
    )
    assert backend_task_definition(aws) == "saas-backend:3"
    assert not outcome.ok and outcome.detail == "refused: read-only mode"
    assert event.text == (
        "roll back saas-backend from saas-backend:3 to saas-backend:2: refused: read-only mode"
    )
    (logged,) = await actions_logged(room)
    assert logged["ok"] is False and logged["refused"] == "read-only mode"


async def test_read_only_config_refuses_every_action(db, clock, aws):
    from dataclasses import replace

    seed_ecs(aws)
    journal = await SqliteJournal.open(db)
    config = replace(make_config(aws), read_only=True)
    async with WarRoom(
        journal, author="ana", runbook=load_runbook(), clock=clock, config=config
    ) as room:
        await room.declare("x", Severity.SEV2)
        for name, target, value in [
            ("rollback", "saas-backend", None),
            ("scale", "saas-worker", "1"),
        ]:
            action, plan = await room.plan_action(name, target, value)
            outcome, _ = await room.run_action(action, plan, confirmation=plan.target)
            assert outcome.detail == "refused: read-only mode"
        assert backend_task_definition(aws) == "saas-backend:3"
        incident = await room.incident(1)
        refused = [e.data["refused"] for e in incident.events if e.kind is Kind.ACTION]
        assert refused == ["read-only mode", "read-only mode"]


async def test_scale_down(war, aws):
    seed_ecs(aws)
    room = await war()
    action, plan = await room.plan_action("scale", "saas-worker", "1")
    assert plan.confirm == "yes"
    assert plan.changes[0].describe() == "ECS service saas-worker desired count: 2 -> 1"
    outcome, _ = await room.run_action(action, plan, confirmation=True)
    assert outcome.ok
    answer = client("ecs", aws).describe_services(cluster="saas-prod", services=["saas-worker"])
    assert answer["services"][0]["desiredCount"] == 1
    with pytest.raises(UserError, match="whole number"):
        await room.plan_action("scale", "saas-worker", "lots")


async def test_aws_error_is_journaled(war, aws):
    seed_ecs(aws)
    room = await war()
    action, plan = await room.plan_action("rollback", "saas-backend", "2")
    # The state read again is as previewed, but AWS refuses the update itself (Stubber: moto
    # refuses nothing that the read again would not have caught first).
    ecs = room._action_clients().client("ecs")
    live = ecs.describe_services(cluster="saas-prod", services=["saas-backend"])
    with Stubber(ecs) as stub:
        stub.add_response("describe_services", live)
        stub.add_response("describe_task_definition", {"taskDefinition": {"status": "ACTIVE"}})
        stub.add_client_error(
            "update_service",
            "ClientException",
            "Unable to describe task definition.",
            http_status_code=400,
            response_meta={"RequestId": "req-refused"},
        )
        outcome, event = await room.run_action(action, plan, confirmation="saas-backend")
    assert not outcome.ok
    assert outcome.detail == "ClientException: Unable to describe task definition."
    assert outcome.http_status == 400 and outcome.request_id == "req-refused"
    (logged,) = await actions_logged(room)
    assert logged["ok"] is False and logged["detail"] == outcome.detail
    assert "FAILED" in event.text


async def test_switch_ai_provider(war, aws):
    ssm = client("ssm", aws)
    ssm.put_parameter(Name="/saas-prod/ai/provider", Value="openai", Type="String")
    room = await war(
        ai_provider_parameter="/saas-prod/ai/provider", ai_providers=("openai", "anthropic")
    )
    action, plan = await room.plan_action("switch-provider")  # the only configured target
    assert plan.changes[0].describe() == (
        "SSM parameter /saas-prod/ai/provider value (version 1): openai -> anthropic"
    )
    outcome, _ = await room.run_action(action, plan, confirmation=True)
    assert outcome.ok and outcome.data["version"] == 2
    assert ssm.get_parameter(Name="/saas-prod/ai/provider")["Parameter"]["Value"] == "anthropic"
    with pytest.raises(UserError, match="not a configured provider"):
        await room.plan_action("switch-provider", value="gemini")


async def test_disable_and_restore_a_cognito_app_client(war, aws):
    idp = client("cognito-idp", aws)
    pool = idp.create_user_pool(PoolName="saas-prod-users")["UserPool"]["Id"]
    app = idp.create_user_pool_client(
        UserPoolId=pool,
        ClientName="saas-web",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=["https://app.example/cb"],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    room = await war(cognito_user_pool_id=pool, cognito_app_clients=(app,))

    restore, refused = await room.plan_action("restore-app-client")
    assert "no settings saved" in refused.refusal
    # Tried anyway (a script with --yes): refused, nothing called, and on the timeline.
    outcome, event = await room.run_action(restore, refused, confirmation=True)
    assert not outcome.ok and "no settings saved" in outcome.detail
    assert event.text == (
        f"restore app client {app}: refused: the journal holds no settings saved by "
        f"disable-app-client for {app}"
    )

    action, plan = await room.plan_action("disable-app-client")
    assert plan.confirm == "type"
    assert plan.changes[0].old == "ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, code"
    outcome, _ = await room.run_action(action, plan, confirmation=app)
    assert outcome.ok
    disabled = idp.describe_user_pool_client(UserPoolId=pool, ClientId=app)["UserPoolClient"]
    assert not disabled.get("ExplicitAuthFlows") and not disabled.get("AllowedOAuthFlows")
    assert disabled["CallbackURLs"] == ["https://app.example/cb"]  # everything else kept

    action, plan = await room.plan_action("restore-app-client")
    outcome, _ = await room.run_action(action, plan, confirmation=True)
    assert outcome.ok
    restored = idp.describe_user_pool_client(UserPoolId=pool, ClientId=app)["UserPoolClient"]
    assert restored["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert restored["AllowedOAuthFlows"] == ["code"]
    logged = await actions_logged(room)
    assert [d["action"] for d in logged] == [
        "restore-app-client",  # the refused attempt
        "disable-app-client",
        "restore-app-client",
    ]
    assert logged[1]["params"]["saved"]["ClientName"] == "saas-web"


class AdminServer(Loopback):
    """The team's tenant admin endpoint on 127.0.0.1: checks method, path and bearer token."""

    def __init__(self, token: str) -> None:
        super().__init__(path="/admin/tenants", answer=self._post)
        self.token = token
        self.start()

    @property
    def calls(self) -> list[tuple[str, str, str]]:
        return [(r.method, r.path, r.headers.get("authorization", "")) for r in self.received]

    def _post(self, request: Request) -> Reply:
        ok = request.headers.get("authorization") == f"Bearer {self.token}"
        return Reply(self.status if ok else 401, {"ok": ok}, delay=self.delay)


async def test_suspend_and_unsuspend_a_tenant(war, monkeypatch):
    admin = AdminServer("s3cret-token")
    try:
        monkeypatch.setenv("WARROOM_TENANT_ADMIN_TOKEN", "s3cret-token")
        room = await war(tenant_admin=TenantAdminConfig(url=admin.url))
        with pytest.raises(UserError, match="needs --target"):
            await room.plan_action("suspend-tenant")
        action, plan = await room.plan_action("suspend-tenant", "acme")
        assert plan.confirm == "yes"
        outcome, _ = await room.run_action(action, plan, confirmation=True)
        assert outcome.ok and outcome.http_status == 200
        action, plan = await room.plan_action("unsuspend-tenant", "acme")
        await room.run_action(action, plan, confirmation=True)
        assert admin.calls == [
            ("POST", "/admin/tenants/acme/suspend", "Bearer s3cret-token"),
            ("POST", "/admin/tenants/acme/unsuspend", "Bearer s3cret-token"),
        ]
        monkeypatch.setenv("WARROOM_TENANT_ADMIN_TOKEN", "wrong")
        outcome, _ = await room.run_action(action, plan, confirmation=True)
        assert not outcome.ok and outcome.http_status == 401
        monkeypatch.delenv("WARROOM_TENANT_ADMIN_TOKEN")
        outcome, _ = await room.run_action(action, plan, confirmation=True)
        assert not outcome.ok and "WARROOM_TENANT_ADMIN_TOKEN is not set" in outcome.detail
        journal_text = json.dumps(await actions_logged(room))
        assert "s3cret-token" not in journal_text and "wrong" not in journal_text
    finally:
        admin.stop()


async def test_an_action_without_an_answer_is_journaled_as_timed_out(war, monkeypatch):
    admin = AdminServer("s3cret-token")
    admin.delay = 3.0  # the admin service hangs
    try:
        monkeypatch.setenv("WARROOM_TENANT_ADMIN_TOKEN", "s3cret-token")
        monkeypatch.setattr("warroom.service.actions.ACTION_TIMEOUT", 0.5)
        room = await war(tenant_admin=TenantAdminConfig(url=admin.url))
        action, plan = await room.plan_action("suspend-tenant", "acme")
        outcome, event = await room.run_action(action, plan, confirmation=True)
        assert not outcome.ok and outcome.detail == "no answer within 0.5s"
        assert event.kind is Kind.ACTION and "FAILED, no answer within 0.5s" in event.text
        [logged] = await actions_logged(room)
        assert logged["action"] == "suspend-tenant" and logged["ok"] is False
        assert 0.4 < logged["duration_s"] < 2.0
    finally:
        admin.stop()


async def test_rotate_secret_with_and_without_rotation(war, aws):
    sm = client("secretsmanager", aws)
    sm.create_secret(Name="saas-prod/db-password", SecretString="hunter2")
    room = await war(secrets=("saas-prod/db-password",))
    _, plan = await room.plan_action("rotate-secret")
    assert "rotation is not configured" in plan.refusal  # moto: no rotation Lambda

    # moto leaves AWSCURRENT empty without a working rotation Lambda: Stubber for this path.
    clients = room._action_clients()
    stubbed = clients.client("secretsmanager")
    secret = {
        "Name": "saas-prod/db-password",
        "RotationEnabled": True,
        "RotationLambdaARN": "arn:aws:lambda:me-south-1:123456789012:function:rotate",
    }
    with Stubber(stubbed) as stub:
        # Read for the preview, then again right before acting.
        for _ in range(2):
            stub.add_response("describe_secret", secret, {"SecretId": "saas-prod/db-password"})
        stub.add_response(
            "rotate_secret",
            {
                "Name": "saas-prod/db-password",
                "VersionId": "0" * 32,
                "ResponseMetadata": {"RequestId": "req-rotate", "HTTPStatusCode": 200},
            },
            {"SecretId": "saas-prod/db-password"},
        )
        action, plan = await room.plan_action("rotate-secret")
        assert plan.confirm == "type" and not plan.refusal
        outcome, _ = await room.run_action(action, plan, confirmation="saas-prod/db-password")
    assert outcome.ok and outcome.request_id == "req-rotate" and outcome.data["version"] == "0" * 32


async def test_failover_redis(war, aws):
    ec = client("elasticache", aws)
    ec.create_replication_group(
        ReplicationGroupId="saas-redis",
        ReplicationGroupDescription="redis",
        Engine="redis",
        CacheNodeType="cache.t4g.medium",
        NumCacheClusters=2,
        AutomaticFailoverEnabled=False,
    )
    room = await war(redis_replication_groups=("saas-redis",))
    # Automatic failover off (moto): the fix is turning it back on.
    action, plan = await room.plan_action("failover")
    assert plan.changes[0].describe() == (
        "replication group saas-redis automatic failover: disabled -> enabled"
    )
    outcome, _ = await room.run_action(action, plan, confirmation="saas-redis")
    assert outcome.ok
    group = ec.describe_replication_groups(ReplicationGroupId="saas-redis")["ReplicationGroups"][0]
    assert group["AutomaticFailover"] == "enabled"

    # A manual failover: moto 5.2 answers test_failover with HTTP 500, so Stubber here.
    stubbed = room._action_clients().client("elasticache")
    group = {
        "ReplicationGroups": [
            {
                "ReplicationGroupId": "saas-redis",
                "AutomaticFailover": "enabled",
                "NodeGroups": [{"NodeGroupId": "0001"}],
            }
        ]
    }
    with Stubber(stubbed) as stub:
        # Read for the preview, then again right before acting.
        for _ in range(2):
            stub.add_response(
                "describe_replication_groups", group, {"ReplicationGroupId": "saas-redis"}
            )
        stub.add_response(
            "test_failover",
            {
                "ReplicationGroup": {"ReplicationGroupId": "saas-redis"},
                "ResponseMetadata": {"RequestId": "req-failover", "HTTPStatusCode": 200},
            },
            {"ReplicationGroupId": "saas-redis", "NodeGroupId": "0001"},
        )
        action, plan = await room.plan_action("failover")
        outcome, _ = await room.run_action(action, plan, confirmation="saas-redis")
    assert outcome.ok and outcome.request_id == "req-failover"


async def test_team_command_success_failure_and_timeout(war):
    commands = (
        CommandAction(
            "alembic-downgrade", (sys.executable, "-c", "print('downgraded to 41')"), confirm="yes"
        ),
        CommandAction(
            "broken",
            (sys.executable, "-c", "import sys; print('nope'); sys.exit(3)"),
            confirm="type",
        ),
        CommandAction(
            "slow",
            (sys.executable, "-c", "import time; time.sleep(5)"),
            confirm="yes",
            timeout=timedelta(seconds=0.5),
        ),
    )
    room = await war(commands=commands)
    action, plan = await room.plan_action("alembic-downgrade")
    outcome, _ = await room.run_action(action, plan, confirmation=True)
    assert outcome.ok and outcome.data["tail"] == ["downgraded to 41"]
    action, plan = await room.plan_action("broken")
    outcome, event = await room.run_action(action, plan, confirmation="broken")
    assert not outcome.ok and outcome.data["exit_status"] == 3 and "FAILED" in event.text
    action, plan = await room.plan_action("slow")
    outcome, _ = await room.run_action(action, plan, confirmation=True)
    assert not outcome.ok and outcome.detail == "timed out after 0.5s"
    assert [d["ok"] for d in await actions_logged(room)] == [True, False, False]


def test_cli_mitigate_list_and_run(cli, aws, tmp_path):
    seed_ecs(aws)
    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[aws]\nregion = "{REGION}"\nendpoint_url = "{aws}"\n'
        '[ecs]\ncluster = "saas-prod"\nservices = ["saas-backend"]\n'
    )
    listed = cli("mitigate", "list", "--config", str(config))
    assert listed.returncode == 0 and "rollback" in listed.stdout
    assert "targets: saas-backend" in listed.stdout

    none_open = cli("mitigate", "run", "rollback", "--yes", "--config", str(config))
    assert none_open.returncode == 2 and "no open incident" in none_open.stderr
    assert backend_task_definition(aws) == "saas-backend:3"

    assert cli("declare", "--title", "Bad deploy", "--severity", "SEV-1").returncode == 0
    dry = cli("mitigate", "run", "rollback", "--dry-run", "--config", str(config))
    assert dry.returncode == 0 and "saas-backend:3 -> saas-backend:2" in dry.stdout
    assert "nothing changed" in dry.stdout
    refused = cli("mitigate", "run", "rollback", "--read-only", "--yes", "--config", str(config))
    assert refused.returncode == 1, refused.stderr
    said = refused.stdout.splitlines()
    assert said[0] == "read-only mode: rollback on saas-backend will not run"  # up front
    assert said[-1] == (
        "INC-1 action: roll back saas-backend from saas-backend:3 to saas-backend:2: "
        "refused: read-only mode"
    )
    ran = cli("mitigate", "run", "rollback", "--yes", "--config", str(config))
    assert ran.returncode == 0, ran.stderr
    assert "INC-1 action: roll back saas-backend" in ran.stdout
    assert backend_task_definition(aws) == "saas-backend:2"
    shown = json.loads(cli("show", "1", "--json").stdout)
    actions = [e["data"] for e in shown["events"] if e["kind"] == "action"]
    assert [(a["ok"], a.get("refused")) for a in actions] == [
        (False, "read-only mode"),
        (True, None),
    ]


def test_cli_a_refused_attempt_is_journaled_and_exits_1(cli, aws, tmp_path):
    """Argument errors are exit 2 and leave no trace; an attempt the resource refuses (here:
    rotation not configured) is an action entry saying why, exit 1, like a failed run."""
    client("secretsmanager", aws).create_secret(Name="saas-prod/db", SecretString="hunter2!")
    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[aws]\nregion = "{REGION}"\nendpoint_url = "{aws}"\n'
        '[mitigations]\nsecrets = ["saas-prod/db"]\n'
    )
    assert cli("declare", "--title", "Leaked key", "--severity", "SEV-1").returncode == 0
    unknown = cli("mitigate", "run", "rotate-secrets", "--yes", "--config", str(config))
    assert unknown.returncode == 2 and len(unknown.stderr.splitlines()) == 1
    dry = cli("mitigate", "run", "rotate-secret", "--dry-run", "--config", str(config))
    assert dry.returncode == 1 and "refused: rotation is not configured" in dry.stdout

    refused = cli("mitigate", "run", "rotate-secret", "--yes", "--config", str(config))
    assert refused.returncode == 1, refused.stderr
    assert refused.stdout.splitlines()[-1].startswith(
        "INC-1 action: rotate saas-prod/db: refused: rotation is not configured"
    )
    shown = json.loads(cli("show", "1", "--json").stdout)
    actions = [e for e in shown["events"] if e["kind"] == "action"]
    assert len(actions) == 1  # the unknown name and the dry run left nothing
    assert actions[0]["data"]["action"] == "rotate-secret"
    assert actions[0]["data"]["refused"].startswith("rotation is not configured")


# Values are checked before anything is sent ------------------------------------------------

REFUSED_REVISIONS = {
    "saas-worker:1": "is a revision of saas-worker, not of saas-backend",
    "saas-backend:7": "no task definition saas-backend:7",
    "7": "no task definition saas-backend:7",
    "saas-backend:3": "already runs saas-backend:3",
    "two": "bad revision 'two'",
    "saas-backend:0": "bad revision",
}


async def test_rollback_refuses_a_revision_it_should_not_deploy(war, aws):
    seed_ecs(aws)
    room = await war()
    for value, refusal in REFUSED_REVISIONS.items():
        try:
            _action, plan = await room.plan_action("rollback", "saas-backend", value)
        except UserError as exc:
            said = str(exc)
        else:
            said = plan.refusal
        assert refusal in said, value
    assert backend_task_definition(aws) == "saas-backend:3"


async def test_rollback_to_a_named_older_revision_of_the_family(war, aws):
    seed_ecs(aws)
    room = await war()
    _action, plan = await room.plan_action("rollback", "saas-backend", "saas-backend:1")
    assert not plan.refusal
    assert plan.params["task_definition"] == "saas-backend:1"


async def test_rollback_refuses_a_deregistered_revision(war, aws):
    seed_ecs(aws)
    client("ecs", aws).deregister_task_definition(taskDefinition="saas-backend:1")
    room = await war()
    with pytest.raises(UserError, match="saas-backend:1 is INACTIVE"):
        await room.plan_action("rollback", "saas-backend", "1")


async def test_scale_refuses_counts_outside_the_bound(war, aws):
    seed_ecs(aws)
    room = await war()
    for value in ("99999999999999999999", "51", "-1", "3.5", "²"):
        with pytest.raises(UserError, match="from 0 to 50"):
            await room.plan_action("scale", "saas-backend", value)


async def test_scale_bound_comes_from_the_config(war, aws):
    seed_ecs(aws)
    room = await war(scale_max=5)
    with pytest.raises(UserError, match="from 0 to 5 "):
        await room.plan_action("scale", "saas-backend", "6")
    _action, plan = await room.plan_action("scale", "saas-backend", "5")
    assert plan.params["desired"] == 5
