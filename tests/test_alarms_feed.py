"""The CloudWatch alarms feed against moto's server over HTTP: the panel's rows, the
transitions as observations at the alarm's own time, a failing source that recovers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from warroom.alarmdeclare import declaration_title, from_alarm, severity_for
from warroom.config import AlarmsConfig, AwsConfig, Config
from warroom.severity import Severity
from warroom.sources.alarms import (
    CLEARED,
    FIRING,
    Alarm,
    AlarmFeed,
    AlarmSnapshot,
    observe_alarms,
)
from warroom.sources.aws import AwsClients
from warroom.sources.status import SourceStatus
from warroom.ui.alarms import alarms_text

REGION = "me-south-1"
LB = [{"Name": "LoadBalancer", "Value": "app/saas-prod/1"}]


def cloudwatch(url: str):
    return boto3.client("cloudwatch", region_name=REGION, endpoint_url=url)


def seed_alarms(url: str) -> None:
    """Three alarms of the stack, and one of another team."""
    cw = cloudwatch(url)
    for name, metric, description in (
        ("saas-prod-api-5xx", "HTTPCode_Target_5XX_Count", "API returns 5xx"),
        ("saas-prod-api-p95", "TargetResponseTime", ""),
        ("saas-prod-redis-cpu", "EngineCPUUtilization", ""),
        ("billing-prod-errors", "Errors", ""),
    ):
        cw.put_metric_alarm(
            AlarmName=name,
            AlarmDescription=description,
            Namespace="AWS/ApplicationELB",
            MetricName=metric,
            Dimensions=LB,
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=10,
            ComparisonOperator="GreaterThanThreshold",
        )
    now = datetime.now(UTC)
    cw.put_metric_data(
        Namespace="AWS/ApplicationELB",
        MetricData=[
            {
                "MetricName": "HTTPCode_Target_5XX_Count",
                "Dimensions": LB,
                "Value": value,
                "Timestamp": now - timedelta(minutes=minutes),
            }
            for minutes, value in ((3, 0.0), (2, 4.0), (1, 25.0))
        ],
    )


def feed_for(url: str, **alarms) -> AlarmFeed:
    config = Config(aws=AwsConfig(region=REGION, endpoint_url=url))
    watched = AlarmsConfig(**({"prefix": "saas-prod-"} | alarms))
    return AlarmFeed(watched, AwsClients(config, connect_timeout=1, read_timeout=2))


def fire(url: str, name: str, state: str = "ALARM") -> None:
    reason = "Threshold Crossed: 1 datapoint [25.0] was greater than the threshold (10.0)."
    cloudwatch(url).set_alarm_state(
        AlarmName=name, StateValue=state, StateReason=reason if state == "ALARM" else "back"
    )


async def test_the_panel_lists_alarm_first_with_its_reason_since_and_values(aws):
    seed_alarms(aws)
    fire(aws, "saas-prod-api-5xx")
    feed = feed_for(aws, names=("saas-prod-gone",))
    snapshot = await feed.poll()
    assert snapshot.source.ok
    names = [a.name for a in snapshot.alarms]
    assert names[0] == "saas-prod-api-5xx" and names[1] == "saas-prod-gone"
    assert "billing-prod-errors" not in names  # neither named nor under the prefix
    firing = snapshot.alarms[0]
    assert firing.state == "ALARM" and firing.since is not None
    assert firing.values == (0.0, 4.0, 25.0)  # GetMetricData, oldest first
    assert snapshot.alarms[1].state == "MISSING"
    rows = alarms_text(snapshot, snapshot.at)
    assert rows[0].plain.startswith("saas-prod-api-5xx  ALARM  since ")
    assert "Threshold Crossed: 1 datapoint [25.0]" in rows[0].plain
    assert any("red" in str(span.style) for span in rows[0].spans)
    assert rows[1].plain.startswith("saas-prod-gone  MISSING")
    assert "no such alarm" in rows[1].plain
    assert all(" OK " in row.plain for row in rows[2:])


async def test_sparklines_keep_within_their_own_budget(aws):
    seed_alarms(aws)
    clock = [datetime.now(UTC)]  # the metric data is stamped with the real time
    feed = feed_for(aws, metric_requests_per_minute=1)
    feed._clock = lambda: clock[0]
    calls: list[str] = []
    client = feed._clients.client("cloudwatch")
    client.meta.events.register(
        "before-call.cloudwatch.*", lambda model, **_: calls.append(model.name)
    )
    await feed.poll()
    clock[0] += timedelta(seconds=30)
    await feed.poll()
    assert calls.count("GetMetricData") == 1  # the second poll came too soon for another
    clock[0] += timedelta(seconds=30)
    third = await feed.poll()
    assert calls.count("GetMetricData") == 2
    assert calls.count("DescribeAlarms") == 3
    assert next(a for a in third.alarms if a.name == "saas-prod-api-5xx").values


async def test_transitions_are_observed_at_the_alarms_own_time(aws):
    seed_alarms(aws)
    feed = feed_for(aws)
    baseline = await feed.poll()
    assert baseline.observations == ()  # all OK: nothing to say
    fire(aws, "saas-prod-api-5xx")
    fired = await feed.poll()
    (seen,) = fired.observations
    alarm = fired.alarms[0]
    assert (seen.kind, seen.at) == (FIRING, alarm.since)
    assert seen.text.startswith("alarm saas-prod-api-5xx ALARM: Threshold Crossed")
    assert (await feed.poll()).observations == ()  # the same transition is not news twice
    fire(aws, "saas-prod-api-5xx", "OK")
    cleared = await feed.poll()
    (back,) = cleared.observations
    assert back.kind == CLEARED and back.text == "alarm saas-prod-api-5xx back to OK"
    assert back.subject != seen.subject  # each transition its own key, written once


async def test_an_alarm_already_firing_is_news_to_a_new_console(aws):
    seed_alarms(aws)
    fire(aws, "saas-prod-api-5xx")
    first = await feed_for(aws).poll()
    again = await feed_for(aws).poll()
    assert [o.kind for o in first.observations] == [FIRING]
    # Two consoles name the transition alike: the journal keeps one entry (the key).
    assert [o.subject for o in again.observations] == [o.subject for o in first.observations]
    assert observe_alarms(first, again) == ()


def test_a_first_look_reports_a_recent_firing_not_last_weeks():
    at = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    status = SourceStatus("CloudWatch alarms").succeeded(at, 0.1)
    recent = Alarm("saas-prod-api-5xx", "ALARM", at - timedelta(minutes=5), "5xx")
    standing = Alarm("saas-prod-disk", "ALARM", at - timedelta(days=7), "disk")
    first = AlarmSnapshot(at, (recent, standing), status)
    assert [o.subject for o in observe_alarms(None, first)] == [
        "saas-prod-api-5xx@2026-11-26T02:55:00.000+00:00"
    ]


async def test_moto_dies_and_comes_back(aws):
    from moto.server import ThreadedMotoServer

    private = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    private.start()
    host, port = private.get_host_and_port()
    url = f"http://{host}:{port}"
    seed_alarms(url)
    feed = feed_for(url)
    good = await feed.poll()
    assert good.source.ok
    private.stop()
    bad = await feed.poll()
    assert bad.source.ok is False and bad.source.reason.startswith("connection refused")
    assert bad.alarms == good.alarms  # the last good rows stay, with their age
    assert alarms_text(bad, bad.at + timedelta(seconds=40))[0].plain.startswith(
        "✗ connection refused"
    )
    revived = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    revived.start()
    try:
        again = await feed.poll()
        assert again.source.ok and again.source.failures == 0
    finally:
        revived.stop()


def test_severity_by_name_then_longest_prefix():
    config = AlarmsConfig(
        prefix="saas-prod-",
        severity={"saas-prod-": "SEV-3", "saas-prod-api-": "SEV-2", "saas-prod-api-5xx": "1"},
    )
    assert severity_for(config, "saas-prod-api-5xx") is Severity.SEV1
    assert severity_for(config, "saas-prod-api-p95") is Severity.SEV2
    assert severity_for(config, "saas-prod-redis-cpu") is Severity.SEV3
    assert severity_for(config, "billing-prod-errors") is None


async def test_declaration_title_from_description_else_name(aws):
    seed_alarms(aws)
    fire(aws, "saas-prod-api-5xx")
    snapshot = await feed_for(aws).poll()
    by_name = {a.name: a for a in snapshot.alarms}
    assert declaration_title(by_name["saas-prod-api-5xx"]) == "API returns 5xx"
    assert declaration_title(by_name["saas-prod-api-p95"]) == "CloudWatch alarm saas-prod-api-p95"
    config = AlarmsConfig(prefix="saas-prod-", severity={"saas-prod-api-": "SEV-1"})
    declared = from_alarm(config, by_name["saas-prod-api-5xx"])
    assert declared.severity is Severity.SEV1
    assert declared.detected_at == by_name["saas-prod-api-5xx"].since
    assert declared.note == "CloudWatch alarm saas-prod-api-5xx"
    calm = from_alarm(config, by_name["saas-prod-redis-cpu"])
    assert calm.severity is Severity.SEV2  # no match: the default
    assert calm.detected_at is None and calm.note.endswith("(now OK)")  # not firing: now
