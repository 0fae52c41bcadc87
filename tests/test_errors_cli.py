"""`warroom errors`: signatures over a window of the log groups (moto's server over HTTP), new
since which deployment; and `--from-file` for any log file or standard input."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import time

import boto3

from warroom.config import Config
from warroom.errors_report import cmd_errors

from .conftest import seed_ecs

CONFIG = """
[aws]
region = "me-south-1"
endpoint_url = "{url}"

[ecs]
cluster = "saas-prod"
services = ["saas-backend", "saas-worker"]

[logs]
filter_pattern = "ERROR"

[[logs.groups]]
name = "/prod/backend"

[[logs.groups]]
name = "/prod/worker"
"""

MISSING_COLUMN = (
    "sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedColumn) column "
    "orders.tenant_ref does not exist"
)


def put(url: str, group: str, messages: list[str], at_ms: int) -> None:
    logs = boto3.client("logs", region_name="me-south-1", endpoint_url=url)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="app",
        logEvents=[{"timestamp": at_ms + i, "message": m} for i, m in enumerate(messages)],
    )


def test_errors_json_counts_groups_and_marks_what_is_new_since_the_deploy(cli, aws, tmp_path):
    logs = boto3.client("logs", region_name="me-south-1", endpoint_url=aws)
    for group in ("/prod/backend", "/prod/worker"):
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="app")
    before_deploy = int(time.time() * 1000) - 120_000
    put(
        aws,
        "/prod/backend",
        [f"ERROR [req-{i:04x}] redis timeout after 30s" for i in range(3)],
        before_deploy,
    )
    put(aws, "/prod/worker", ["ERROR [req-00af] redis timeout after 12s"], before_deploy)
    seed_ecs(aws)  # saas-backend:3 deployed now: moto dates the service's deployment
    after_deploy = int(time.time() * 1000) + 1_000
    flood = [
        f"ERROR [req-{i:04x}] GET /api/v1/orders/{10_000 + i} 500 {800 + i}ms tenant=acme "
        f"{MISSING_COLUMN}"
        for i in range(40)
    ]
    put(aws, "/prod/backend", flood, after_deploy)
    config = tmp_path / "warroom.toml"
    config.write_text(CONFIG.format(url=aws))

    result = cli("errors", "--config", str(config), "--json")

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["count"], r["groups"], r["new_since"]) for r in rows] == [
        (40, ["/prod/backend"], "saas-backend:3"),
        (4, ["/prod/backend", "/prod/worker"], None),  # there before the deploy
    ]
    new = rows[0]
    assert new["example"].startswith("ERROR [req-0027] GET /api/v1/orders/10039 500")
    assert new["signature"].startswith("ERROR [req<*>] GET /api/v1/orders/<*> <*> <*>")
    assert new["first_seen"] < new["last_seen"] and new["first_seen"].endswith("Z")
    assert set(new) >= {"signature", "count", "groups", "first_seen", "last_seen", "example"}

    text = cli("errors", "--config", str(config), "--group", "/prod/worker")
    assert text.returncode == 0, text.stderr
    assert "redis timeout" in text.stdout and "orders" not in text.stdout
    assert "1 signature in 1 line" in text.stdout


def test_errors_from_a_file_and_from_stdin_list_their_line_numbers(cli, tmp_path):
    log = tmp_path / "paste.log"
    log.write_text(
        "2026-11-30T04:22:52.120Z ERROR [req-85fe] GET /api/v1/orders/25555 500 1200ms boom\n"
        "Nov 30 04:22:53 bastion sshd[811]: Failed password for invalid user admin from "
        "10.0.0.7 port 50122 ssh2\n"
        "\n"
        "2026-11-30T04:22:54.900Z ERROR [req-0a1b] GET /api/v1/orders/31337 500 900ms boom\n"
    )
    result = cli("errors", "--from-file", str(log), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["count"], r["lines"], r["new_since"]) for r in rows] == [
        (2, [1, 4], None),
        (1, [2], None),
    ]
    assert rows[0]["first_seen"] == "2026-11-30T04:22:52.120000Z"
    assert rows[0]["last_seen"] == "2026-11-30T04:22:54.900000Z"
    assert rows[0]["example"].endswith("31337 500 900ms boom")
    assert rows[1]["first_seen"] is None  # syslog says no year: no time is made up

    missing = cli("errors", "--from-file", str(tmp_path / "nope.log"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_errors_from_stdin(monkeypatch, capsys):
    # A colleague's paste with a terminal escape and a key in it: shown safe.
    paste = "ERROR boom 1\nERROR boom 22\nINFO fine\nWARN \x1b[2Jkey AKIAABCDEFGHIJKLMNOP\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(paste))
    args = argparse.Namespace(from_file="-", json=True)
    assert asyncio.run(cmd_errors(Config(), args)) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["signature"], r["lines"], r["groups"]) for r in rows] == [
        ("ERROR boom <*>", [1, 2], ["-"]),
        ("INFO fine", [3], ["-"]),
        ("WARN key [REDACTED-AWS-KEY]", [4], ["-"]),
    ]


def test_errors_for_one_tenant_keep_only_the_lines_that_name_it(cli, tmp_path):
    # The incident's scope names acme: the lines of hooli, and those that name acme-eu (another
    # tenant whose name starts the same), are not acme's errors.
    log = tmp_path / "paste.log"
    log.write_text(
        f"ERROR GET /api/v1/orders/25555 500 {MISSING_COLUMN} tenant=acme\n"
        f"ERROR GET /api/v1/orders/25556 500 {MISSING_COLUMN} tenant=hooli\n"
        "ERROR redis timeout after 30s tenant=acme-eu\n"
        f"ERROR GET /api/v1/orders/31337 500 {MISSING_COLUMN} tenant=acme\n"
    )
    everyone = json.loads(cli("errors", "--from-file", str(log), "--json").stdout)
    assert sum(r["count"] for r in everyone) == 4
    result = cli("errors", "--from-file", str(log), "--tenant", "acme", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["count"], r["lines"]) for r in rows] == [(2, [1, 4])]

    two = json.loads(
        cli(
            "errors", "--from-file", str(log), "--tenant", "acme", "--tenant", "acme-eu", "--json"
        ).stdout
    )
    assert sorted(line for r in two for line in r["lines"]) == [1, 3, 4]
