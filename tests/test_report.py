"""The quarterly review: a generated history through the real journal, with known answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from warroom.actions import Plan
from warroom.model import Kind
from warroom.report import (
    build_report,
    parse_since,
    percentile,
    root_cause_tags,
    weekly_counts,
)
from warroom.report_markdown import render_markdown
from warroom.service import WarRoom
from warroom.severity import Severity

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
QUARTER = timedelta(days=90)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@dataclass
class Spec:
    """One incident of the history; times are minutes after detection."""

    title: str
    severity: Severity
    detected: datetime
    ack: float | None = None
    mitigate: float | None = None
    resolve: float | None = None
    root_cause: str | None = None
    root_cause_field: str | None = None
    exported_after_resolve: timedelta | None = None
    downgrade_to: Severity | None = None
    # (minute, key) as the console's feeds write them: `<kind>:<subject>`
    observations: list[tuple[float, str]] = field(default_factory=list)
    # (minute, action, target, is an ECS action): as WarRoom.run_action journals them
    actions: list[tuple[float, str, str, bool]] = field(default_factory=list)
    error_groups: tuple[str, ...] = ()  # log groups in the mitigation's evidence
    items: list[tuple[str, str, date | None, bool]] = field(default_factory=list)


async def create(room: WarRoom, clock, spec: Spec, tmp_path: Path) -> int:
    t0 = spec.detected
    clock.now = t0
    incident_id = await room.declare(spec.title, spec.severity, note="alarm")

    steps: list[tuple[float, Any]] = []

    def step(minute: float | None, make) -> None:
        if minute is not None:
            steps.append((minute, make))

    step(spec.ack, lambda: room.log(Kind.ACKNOWLEDGED, "on it", incident_id=incident_id))
    if spec.downgrade_to:
        step(
            1,
            lambda: room.change_severity(
                spec.downgrade_to, incident_id=incident_id, reason="less than feared"
            ),
        )
    for minute, key in spec.observations:
        step(minute, lambda key=key: room.observe(incident_id, key, f"observed {key}"))
    for minute, action, target, ecs in spec.actions:
        data = {"action": action, "target": target, "params": {}, "ok": True}
        if ecs:
            data["params"] = {"cluster": "saas-prod"}
        step(
            minute,
            lambda data=data, action=action, target=target: room.log(
                Kind.ACTION, f"{action} {target}: ok", incident_id=incident_id, auto=True, data=data
            ),
        )
    step(
        spec.mitigate,
        lambda: room.log(
            Kind.MITIGATED,
            "service restored",
            incident_id=incident_id,
            data={"evidence": {"last_error": {g: "ERROR boom" for g in spec.error_groups}}},
        ),
    )
    if spec.root_cause:
        step(
            (spec.mitigate or spec.ack or 0) + 1,
            lambda: room.log(Kind.ROOT_CAUSE, spec.root_cause, incident_id=incident_id),
        )
    step(spec.resolve, lambda: room.log(Kind.RESOLVED, "all green", incident_id=incident_id))
    for minute, make in sorted(steps, key=lambda s: s[0]):
        clock.now = t0 + minutes(minute)
        await make()

    if spec.root_cause_field:
        await room.set_postmortem_field(incident_id, "root_cause", spec.root_cause_field)
    for text, owner, deadline, done in spec.items:
        item = await room.add_action_item(incident_id, text, owner=owner, deadline=deadline)
        if done:
            await room.update_action_item(item.id, done=True)
    if spec.exported_after_resolve is not None:
        assert spec.resolve is not None
        clock.now = t0 + minutes(spec.resolve) + spec.exported_after_resolve
        await room.export_postmortem(incident_id, directory=tmp_path / "postmortems")
    return incident_id


# The history. The review runs at NOW over 90 days: from 2026-08-28 12:00.
HISTORY = [
    # INC-1: before the window. Its action item still counts (items are over all incidents).
    Spec(
        "Login outage in August",
        Severity.SEV1,
        at("2026-08-10T09:00"),
        ack=5,
        resolve=60,
        root_cause="#bad-deploy again",
        actions=[(10, "rollback", "saas-backend", True)],
        exported_after_resolve=timedelta(hours=1),
        items=[("Add a deploy canary", "bo", date(2026, 9, 1), False)],
    ),
    # INC-2
    Spec(
        "API 500s after deploy",
        Severity.SEV1,
        at("2026-09-02T03:00"),
        ack=5,
        mitigate=20,
        resolve=60,
        root_cause="Migration took a lock #bad-deploy",
        observations=[(2, "deployment_started:saas-backend")],
        actions=[(15, "rollback", "saas-backend", True)],
        error_groups=("/prod/backend",),
        exported_after_resolve=timedelta(hours=24),
        items=[("Alarm on migration locks", "ana", date(2026, 12, 15), False)],
    ),
    # INC-3
    Spec(
        "Orders failing",
        Severity.SEV1,
        at("2026-09-15T14:00"),
        ack=10,
        mitigate=30,
        resolve=120,
        root_cause_field="Unreviewed config change #Bad-Deploy.",
        observations=[(3, "below_desired:saas-backend")],
        actions=[(25, "rollback", "saas-backend", True)],
        error_groups=("/prod/backend",),
        exported_after_resolve=timedelta(hours=72),
        items=[("Document rollback steps", "ana", date(2026, 10, 1), True)],
    ),
    # INC-4
    Spec(
        "Database overloaded",
        Severity.SEV1,
        at("2026-10-05T22:00"),
        ack=25,
        mitigate=50,
        resolve=240,
        root_cause="Too many connections #db-overload (see runbook#scenario-b, C# client)",
        actions=[(45, "scale", "saas-worker", True)],
        error_groups=("/prod/worker",),
        items=[("Connection pool limits", "", None, False)],
    ),
    # INC-5
    Spec(
        "AI chat down",
        Severity.SEV2,
        at("2026-10-20T10:00"),
        ack=120,
        resolve=300,
        root_cause="#AI-Provider outage upstream",
        observations=[(1, "health_down:api")],
        actions=[(150, "switch-provider", "/saas/ai-provider", False)],
        exported_after_resolve=timedelta(hours=23),
    ),
    # INC-6: declared SEV-2, counted as SEV-3 (its severity now); no post-mortem needed.
    Spec(
        "Dashboard delayed",
        Severity.SEV2,
        at("2026-11-03T08:00"),
        downgrade_to=Severity.SEV3,
        ack=60,
        resolve=120,
    ),
    # INC-7: resolved ten hours before the review, post-mortem due in 38 h.
    Spec(
        "AI answers time out",
        Severity.SEV2,
        at("2026-11-25T23:00"),
        ack=30,
        mitigate=90,
        resolve=180,
        root_cause="#ai-provider latency",
        observations=[(1, "health_down:api")],
        actions=[(80, "switch-provider", "/saas/ai-provider", False)],
        items=[("Second AI provider contract", "cy", date(2026, 11, 25), False)],
    ),
    # INC-8: open, never acknowledged, three hours in: a miss.
    Spec("Notifications not sending", Severity.SEV2, at("2026-11-26T09:00")),
    # INC-9: open SEV-1, acknowledged in 3 minutes.
    Spec(
        "Worker crash loop",
        Severity.SEV1,
        at("2026-11-26T10:00"),
        ack=3,
        observations=[(5, "below_desired:saas-worker")],
    ),
    # INC-10: open SEV-3, one hour in: its 4 h target has not run out, so not measured yet.
    Spec("Slow search", Severity.SEV3, at("2026-11-26T11:00")),
]


@pytest.fixture
async def history(room: WarRoom, clock, tmp_path: Path) -> list[int]:
    return [await create(room, clock, spec, tmp_path) for spec in HISTORY]


async def test_counts_per_severity(room: WarRoom, history):
    report = build_report(await room.all_incidents(), now=NOW, since=QUARTER)
    assert report.incidents == 9  # INC-1 is before the window
    assert [(s.label, s.incidents, s.open) for s in report.severities] == [
        ("SEV-1", 4, 1),
        ("SEV-2", 3, 1),
        ("SEV-3", 2, 1),
    ]
    assert (report.overall.incidents, report.overall.open) == (9, 3)


async def test_medians_and_p90s_nearest_rank(room: WarRoom, history):
    report = build_report(await room.all_incidents(), now=NOW, since=QUARTER)
    sev1, sev2, sev3 = report.severities
    # SEV-1 acks 3, 5, 10, 25 min: median rank ceil(2) = 5, p90 rank ceil(3.6) = 25.
    assert (sev1.acknowledge.count, sev1.acknowledge.median, sev1.acknowledge.p90) == (
        4,
        minutes(5),
        minutes(25),
    )
    assert (sev1.mitigate.median, sev1.mitigate.p90) == (minutes(30), minutes(50))
    assert (sev1.resolve.median, sev1.resolve.p90) == (minutes(120), minutes(240))
    # SEV-2 acks 30, 120 min (INC-8 never): median is the lower middle value.
    assert (sev2.acknowledge.count, sev2.acknowledge.median, sev2.acknowledge.p90) == (
        2,
        minutes(30),
        minutes(120),
    )
    assert (sev2.mitigate.count, sev2.mitigate.median, sev2.mitigate.p90) == (
        1,
        minutes(90),
        minutes(90),
    )
    assert (sev2.resolve.median, sev2.resolve.p90) == (minutes(180), minutes(300))
    assert (sev3.acknowledge.median, sev3.resolve.median) == (minutes(60), minutes(120))
    assert (sev3.mitigate.count, sev3.mitigate.median, sev3.mitigate.p90) == (0, None, None)


async def test_acknowledged_within_target(room: WarRoom, history):
    report = build_report(await room.all_incidents(), now=NOW, since=QUARTER)
    sev1, sev2, sev3 = report.severities
    assert (sev1.acknowledged_within_target, sev1.acknowledgement_measured) == (3, 4)
    assert sev1.within_target_share == 0.75
    # INC-5 took 2 h against 1 h; INC-8 was never acknowledged and its hour is up.
    assert (sev2.acknowledged_within_target, sev2.acknowledgement_measured) == (1, 3)
    # INC-10 still has time: not counted either way.
    assert (sev3.acknowledged_within_target, sev3.acknowledgement_measured) == (1, 1)
    assert (report.overall.acknowledged_within_target, report.overall.acknowledgement_measured) == (
        5,
        8,
    )


async def test_postmortem_compliance(room: WarRoom, history):
    pm = (build_report(await room.all_incidents(), now=NOW, since=QUARTER)).postmortems
    assert pm.required == 7  # SEV-1/2 of the window; INC-6 is SEV-3 now
    assert (pm.compliant, pm.late, pm.due, pm.overdue, pm.not_yet_due) == (
        2,  # INC-2 (24 h), INC-5 (23 h)
        1,  # INC-3 (72 h)
        1,  # INC-7: resolved ten hours ago
        ("INC-4",),
        2,  # INC-8, INC-9 still open
    )
    assert pm.compliance == 0.5


async def test_recurring_patterns(room: WarRoom, history):
    patterns = (build_report(await room.all_incidents(), now=NOW, since=QUARTER)).patterns
    as_lists = {
        kind: [(p.name, list(p.incidents)) for p in found] for kind, found in patterns.items()
    }
    assert as_lists == {
        # From ECS observations and ECS mitigations' targets; `api` is a health endpoint.
        "services": [
            ("saas-backend", ["INC-2", "INC-3"]),
            ("saas-worker", ["INC-4", "INC-9"]),
        ],
        "log_groups": [("/prod/backend", ["INC-2", "INC-3"])],  # /prod/worker only in INC-4
        "mitigations": [
            ("rollback", ["INC-2", "INC-3"]),  # and INC-1, before the window
            ("switch-provider", ["INC-5", "INC-7"]),
        ],
        "root_cause_tags": [
            ("ai-provider", ["INC-5", "INC-7"]),
            ("bad-deploy", ["INC-2", "INC-3"]),
        ],
    }


async def test_a_refused_mitigation_is_not_a_recurring_one(room: WarRoom, clock):
    plan = Plan("failover", "saas-redis", "fail over saas-redis")
    for day in (1, 2):  # tried in two incidents, refused both times: nothing ran
        clock.now = NOW - timedelta(days=day)
        incident_id = await room.declare(f"Redis down {day}", Severity.SEV2)
        await room.refuse_action(plan, "read-only mode", incident_id=incident_id)
    patterns = build_report(await room.all_incidents(), now=NOW, since=QUARTER).patterns
    assert patterns["mitigations"] == ()


async def test_open_and_overdue_action_items_over_all_incidents(room: WarRoom, history):
    report = build_report(await room.all_incidents(), now=NOW, since=QUARTER)
    assert [(i.incident, i.text, i.overdue) for i in report.action_items] == [
        ("INC-1", "Add a deploy canary", True),
        ("INC-7", "Second AI provider contract", True),
        ("INC-2", "Alarm on migration locks", False),
        ("INC-4", "Connection pool limits", False),
    ]
    assert [i.incident for i in report.overdue_action_items] == ["INC-1", "INC-7"]


async def test_a_short_window_and_an_empty_journal(room: WarRoom, history):
    report = build_report(await room.all_incidents(), now=NOW, since=timedelta(hours=24))
    assert [s.incidents for s in report.severities] == [1, 2, 1]  # INC-7..INC-10
    sev1 = report.severity(Severity.SEV1)
    assert (sev1.resolve.count, sev1.resolve.median, sev1.resolve.p90) == (0, None, None)
    data = report.to_dict()
    assert data["severities"]["SEV-1"]["time_to_resolve"] == {
        "count": 0,
        "median_s": None,
        "p90_s": None,
    }
    assert data["recurring"]["services"] == []
    assert len(data["action_items"]["items"]) == 4  # still over all incidents

    empty = build_report([], now=NOW, since=QUARTER)
    assert empty.incidents == 0
    assert empty.postmortems.compliance is None
    assert "| SEV-1 | 0 | 0 | — | — | — | — | — | — | 15m | — |" in render_markdown(empty)


async def test_to_dict(room: WarRoom, history):
    data = (build_report(await room.all_incidents(), now=NOW, since=QUARTER)).to_dict()
    assert data["window"] == {
        "start": "2026-08-28T12:00:00Z",
        "end": "2026-11-26T12:00:00Z",
        "seconds": 90 * 86400,
    }
    assert data["percentile_method"] == "nearest-rank"
    assert data["incidents"] == 9
    assert data["severities"]["SEV-1"] == {
        "incidents": 4,
        "open": 1,
        "response_target_s": 900,
        "time_to_acknowledge": {"count": 4, "median_s": 300, "p90_s": 1500},
        "time_to_mitigate": {"count": 3, "median_s": 1800, "p90_s": 3000},
        "time_to_resolve": {"count": 3, "median_s": 7200, "p90_s": 14400},
        "acknowledged_within_target": {"within": 3, "of": 4, "share": 0.75},
    }
    assert data["all"]["response_target_s"] is None
    assert data["postmortems"] == {
        "required": 7,
        "compliant": 2,
        "late": 1,
        "due": 1,
        "overdue": 1,
        "not_yet_due": 2,
        "compliance": 0.5,
        "overdue_incidents": ["INC-4"],
    }
    assert data["action_items"]["open"] == 4
    assert data["action_items"]["overdue"] == 2
    assert data["action_items"]["items"][0] == {
        "incident": "INC-1",
        "id": 1,
        "text": "Add a deploy canary",
        "owner": "bo",
        "deadline": "2026-09-01",
        "overdue": True,
    }
    assert json.loads(json.dumps(data)) == data


async def test_markdown(room: WarRoom, history):
    text = render_markdown(build_report(await room.all_incidents(), now=NOW, since=QUARTER))
    assert text.startswith("# Incident review: 2026-08-28 12:00 to 2026-11-26 12:00 UTC\n")
    assert "Incidents detected in the last 90 days: **9**." in text
    assert "nearest-rank" in text
    assert "| SEV-1 | 4 | 1 | 5m | 25m | 30m | 50m | 2h00m | 4h00m | 15m | 75 % (3/4) |" in text
    assert (
        "| SEV-2 | 3 | 1 | 30m | 2h00m | 1h30m | 1h30m | 3h00m | 5h00m | 1h00m | 33 % (1/3) |"
        in (text)
    )
    assert "| SEV-3 | 2 | 1 | 1h00m | 1h00m | — | — | 2h00m | 2h00m | 4h00m | 100 % (1/1) |" in text
    assert "| All | 9 | 3 |" in text and "| per severity | 62 % (5/8) |" in text
    assert "- Overdue: 1 (INC-4)\n" in text
    assert "- Compliance: 50 % (2/4)\n" in text
    assert "- saas-backend — 2 incidents (INC-2, INC-3)\n" in text
    assert "- #bad-deploy — 2 incidents (INC-2, INC-3)\n" in text
    assert "| INC-1 | Add a deploy canary | bo | 2026-09-01 | **overdue** |" in text
    assert "| INC-4 | Connection pool limits | unassigned | — | open |" in text
    assert "All incidents, not only the window: 4 open, 2 overdue." in text
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Incident review: 2026-08-28 12:00 to 2026-11-26 12:00 UTC",
        "## Incidents by severity",
        "## Post-mortems",
        "## Recurring patterns",
        "### Services",
        "### Log groups",
        "### Mitigations",
        "### Root-cause tags",
        "## Reopened",
        "## Action items",
    ]


async def test_weekly_counts_for_a_bar_chart(room: WarRoom, history):
    report = build_report(await room.all_incidents(), now=NOW, since=QUARTER)
    # Monday weeks from 2026-08-24 (the window starts on Friday 08-28) to 2026-11-23.
    assert len(report.weekly) == 14
    assert report.weekly[0] == (date(2026, 8, 24), 0)
    assert [(w, n) for w, n in report.weekly if n] == [
        (date(2026, 8, 31), 1),
        (date(2026, 9, 14), 1),
        (date(2026, 10, 5), 1),
        (date(2026, 10, 19), 1),
        (date(2026, 11, 2), 1),
        (date(2026, 11, 23), 4),
    ]
    assert sum(n for _, n in report.weekly) == 9

    # The console's History screen can use the cheap summaries too, unbounded.
    summaries = await room.incidents()
    assert weekly_counts(summaries)[:3] == [
        (date(2026, 8, 10), 1),
        (date(2026, 8, 17), 0),
        (date(2026, 8, 24), 0),
    ]
    assert len(weekly_counts(summaries)) == 16
    assert weekly_counts([]) == []


def test_percentile_nearest_rank():
    values = [minutes(n) for n in (7, 1, 3, 9, 5)]
    assert percentile(values, 50) == minutes(5)
    assert percentile(values, 90) == minutes(9)
    assert percentile(values[:4], 50) == minutes(3)  # 1, 3, 7, 9: the lower middle
    assert percentile([minutes(4)], 90) == minutes(4)
    assert percentile([], 50) is None


def test_root_cause_tags_convention():
    from warroom.model import Event, Incident, Scope

    def event(text: str) -> Event:
        return Event(1, 1, NOW, NOW, Kind.ROOT_CAUSE, text, "ana")

    incident = Incident(
        1,
        "t",
        Severity.SEV1,
        Scope(),
        NOW,
        "ana",
        events=(event("#Bad-Deploy, see page#anchor, C# code, issue #123, ##x, #db_pool-"),),
        postmortem={"root_cause": "Also #redis."},
    )
    assert root_cause_tags(incident) == {"bad-deploy", "db_pool", "redis"}


def test_parse_since():
    assert parse_since("90d") == timedelta(days=90)
    assert parse_since("48h") == timedelta(hours=48)
    for bad in ("", "ninety", "0d", "90"):
        with pytest.raises(ValueError):
            parse_since(bad)


# The command ------------------------------------------------------------------------------


@pytest.fixture
async def recent_history(room: WarRoom, clock, tmp_path: Path) -> None:
    """Three incidents in the last days of the real clock: the CLI reviews at the real now."""
    from warroom.timeutil import utcnow

    base = utcnow().replace(microsecond=0) - timedelta(days=10)
    specs = [
        Spec(
            "API 500s",
            Severity.SEV1,
            base,
            ack=5,
            mitigate=20,
            resolve=60,
            root_cause="#bad-deploy",
            actions=[(15, "rollback", "saas-backend", True)],
            exported_after_resolve=timedelta(hours=2),
        ),
        Spec(
            "API 500s again",
            Severity.SEV1,
            base + timedelta(days=3),
            ack=20,
            mitigate=40,
            resolve=90,
            root_cause="#bad-deploy",
            actions=[(30, "rollback", "saas-backend", True)],
            items=[("Canary", "bo", (base - timedelta(days=1)).date(), False)],
        ),
        Spec("Slow search", Severity.SEV3, base + timedelta(days=9), ack=30, resolve=120),
    ]
    for spec in specs:
        await create(room, clock, spec, tmp_path)


def test_cli_report_json(cli, recent_history):
    result = cli("report", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["incidents"] == 3
    assert data["severities"]["SEV-1"]["time_to_acknowledge"] == {
        "count": 2,
        "median_s": 300,
        "p90_s": 1200,
    }
    assert data["severities"]["SEV-1"]["acknowledged_within_target"] == {
        "within": 1,
        "of": 2,
        "share": 0.5,
    }
    assert data["severities"]["SEV-3"]["incidents"] == 1
    assert data["postmortems"]["compliant"] == 1
    assert data["postmortems"]["overdue_incidents"] == ["INC-2"]
    assert data["recurring"]["mitigations"] == [
        {"name": "rollback", "incidents": ["INC-1", "INC-2"]}
    ]
    assert data["recurring"]["root_cause_tags"][0]["name"] == "bad-deploy"
    assert data["action_items"]["overdue"] == 1

    week = json.loads(cli("report", "--json", "--since", "2d").stdout)
    assert week["incidents"] == 1
    assert week["window"]["seconds"] == 2 * 86400


def test_cli_report_markdown_and_output_file(cli, recent_history, home: Path):
    result = cli("report")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Incident review: ")
    assert "Incidents detected in the last 90 days: **3**." in result.stdout
    assert "| SEV-1 | 2 | 0 | 5m | 20m | 20m | 40m | 1h00m | 1h30m | 15m | 50 % (1/2) |" in (
        result.stdout
    )
    assert "- rollback — 2 incidents (INC-1, INC-2)" in result.stdout

    written = cli("report", "--json", "--output", "out/review.json")
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert json.loads((home / "out" / "review.json").read_text())["incidents"] == 3


def test_cli_report_bad_since(cli):
    for bad in ("ninety", "0d"):
        result = cli("report", "--since", bad)
        assert result.returncode == 2
        assert "--since" in result.stderr
        assert "Traceback" not in result.stderr
