"""`warroom check`: the runbook's quick diagnostics in one command, against moto and a real
HTTP server."""

from __future__ import annotations

import boto3

from .conftest import HEALTH_PATH, seed_ecs
from .helpers.loopback import Loopback


def write_config(path, moto_url: str, health_url: str) -> None:
    path.write_text(
        f"""
[aws]
region = "me-south-1"
endpoint_url = "{moto_url}"

[ecs]
cluster = "saas-prod"
services = ["saas-backend", "saas-worker"]

[logs]
since = "10m"
filter_pattern = "ERROR"

[[logs.groups]]
name = "/prod/backend"

[[logs.groups]]
name = "/prod/worker"

[[health.endpoints]]
name = "api"
url = "{health_url}"
timeout = "2s"
"""
    )


def test_check_probes_every_source(cli, aws, tmp_path):
    seed_ecs(aws)
    logs = boto3.client("logs", region_name="me-south-1", endpoint_url=aws)
    for group in ("/prod/backend", "/prod/worker"):
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="app")
    server = Loopback(path=HEALTH_PATH, body={"status": "ok"}).start()
    try:
        config = tmp_path / "warroom.toml"
        write_config(config, aws, server.url)
        healthy = cli("check", "--config", str(config))
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        table = healthy.stdout
        assert "health api" in table and "HTTP 200" in table
        assert "ECS saas-backend" in table and "saas-backend:3" in table
        assert "rollback target saas-backend:2" in table
        assert "logs /prod/backend" in table and "no 'ERROR' lines in the last 10m" in table
        assert "5 of 5 sources ok" in table

        server.status = 500
        server.body = {"status": "error"}
        logs.put_log_events(
            logGroupName="/prod/backend",
            logStreamName="app",
            logEvents=[
                {
                    "timestamp": __import__("time").time_ns() // 1_000_000,
                    "message": "ERROR boom \x1b[31m[red]x[/]",
                }
            ],
        )
        broken = cli("check", "--config", str(config))
        assert broken.returncode == 1
        line = next(x for x in broken.stdout.splitlines() if x.startswith("health api"))
        assert "down" in line and "HTTP 500, status error" in line
        backend = next(x for x in broken.stdout.splitlines() if x.startswith("logs /prod/backend"))
        assert "1 'ERROR' lines" in backend and "ERROR boom [red]x[/]" in backend
        assert "\x1b" not in broken.stdout
    finally:
        server.stop()


def test_check_with_sources_down(cli, tmp_path):
    config = tmp_path / "warroom.toml"
    write_config(config, "http://127.0.0.1:9", "http://127.0.0.1:9/api/v1/health")
    result = cli(
        "check",
        "--config",
        str(config),
        env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    rows = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    assert "connection refused" in rows["health api"]
    assert "connection refused" in rows["ECS saas-prod"]
    assert "connection refused" in rows["logs /prod/backend"]
    assert "0 of 4 sources ok" in result.stdout


def test_check_does_not_create_the_journal(cli, db, tmp_path):
    config = tmp_path / "empty.toml"
    config.write_text("")
    before = cli("check", "--config", str(config))
    assert before.returncode == 0, before.stderr
    assert f"journal: {db} (not created yet)" in before.stdout.splitlines()
    assert not db.parent.exists()

    assert cli("declare", "--title", "API down", "--severity", "SEV-2").returncode == 0
    after = cli("check", "--config", str(config))
    assert f"journal: {db} (1 incidents, 1 open)" in after.stdout.splitlines()


def test_check_lists_each_watched_alarm_and_alarm_fails(cli, aws, tmp_path):
    from .test_alarms_feed import fire, seed_alarms

    seed_alarms(aws)
    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[aws]\nregion = "me-south-1"\nendpoint_url = "{aws}"\n\n'
        '[alarms]\nprefix = "saas-prod-"\nnames = ["saas-prod-api-5xx"]\n'
    )
    calm = cli("check", "--config", str(config))
    assert calm.returncode == 0, calm.stdout + calm.stderr
    rows = [x for x in calm.stdout.splitlines() if x.startswith("alarm ")]
    assert [r.split()[1] for r in rows] == [
        "saas-prod-api-5xx",
        "saas-prod-api-p95",
        "saas-prod-redis-cpu",
    ]
    assert all(r.split()[2] == "ok" for r in rows)
    assert "3 of 3 sources ok" in calm.stdout

    fire(aws, "saas-prod-api-5xx")
    alarmed = cli("check", "--config", str(config))
    assert alarmed.returncode == 1
    first = next(x for x in alarmed.stdout.splitlines() if x.startswith("alarm "))
    assert first.split()[1:3] == ["saas-prod-api-5xx", "ALARM"]
    assert "Threshold Crossed" in first and "since " in first
    assert "2 of 3 sources ok" in alarmed.stdout
