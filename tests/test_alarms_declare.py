"""Declaring from a CloudWatch alarm with the CLI, against moto: the alarm's title, the
severity `[alarms.severity]` gives it, and detection when it fired."""

from __future__ import annotations

import json
from datetime import datetime

from .test_alarms_feed import cloudwatch, fire, seed_alarms


def write_config(path, url: str) -> None:
    path.write_text(
        f'[aws]\nregion = "me-south-1"\nendpoint_url = "{url}"\n\n'
        '[alarms]\nprefix = "saas-prod-"\n\n'
        '[alarms.severity]\n"saas-prod-api-" = "SEV-1"\n"saas-prod-" = "SEV-3"\n'
    )


def test_declare_from_alarm_starts_the_clock_when_it_fired(cli, aws, tmp_path):
    seed_alarms(aws)
    fire(aws, "saas-prod-api-5xx")
    (alarm,) = cloudwatch(aws).describe_alarms(AlarmNames=["saas-prod-api-5xx"])["MetricAlarms"]
    fired_at = alarm["StateUpdatedTimestamp"]
    config = tmp_path / "warroom.toml"
    write_config(config, aws)
    declared = cli("declare", "--config", str(config), "--from-alarm", "saas-prod-api-5xx")
    assert declared.returncode == 0, declared.stderr
    ref = declared.stdout.strip()
    shown = json.loads(cli("show", ref, "--json", "--config", str(config)).stdout)
    assert shown["title"] == "API returns 5xx"  # the alarm's description
    assert shown["severity"] == "SEV-1"  # [alarms.severity], the longest prefix
    detected = shown["events"][0]
    assert detected["kind"] == "detected"
    assert detected["text"] == "CloudWatch alarm saas-prod-api-5xx"
    at = datetime.fromisoformat(detected["at"].replace("Z", "+00:00"))
    assert abs((at - fired_at).total_seconds()) < 0.001
    update = cli("update", "--config", str(config))
    assert "Investigating CloudWatch alarm saas-prod-api-5xx" in update.stdout


def test_severity_by_hand_and_an_unknown_alarm(cli, aws, tmp_path):
    seed_alarms(aws)
    fire(aws, "saas-prod-redis-cpu")
    config = tmp_path / "warroom.toml"
    write_config(config, aws)
    chosen = cli(
        "declare", "--config", str(config), "--from-alarm", "saas-prod-redis-cpu", "--severity", "2"
    )
    assert chosen.returncode == 0, chosen.stderr
    shown = json.loads(cli("show", chosen.stdout.strip(), "--json", "--config", str(config)).stdout)
    assert (shown["title"], shown["severity"]) == ("CloudWatch alarm saas-prod-redis-cpu", "SEV-2")
    unknown = cli("declare", "--config", str(config), "--from-alarm", "saas-prod-nope")
    assert unknown.returncode == 2
    assert "no CloudWatch alarm named 'saas-prod-nope'" in unknown.stderr
    bare = cli("declare", "--config", str(config))
    assert bare.returncode == 2 and "(or --from-alarm NAME)" in bare.stderr
