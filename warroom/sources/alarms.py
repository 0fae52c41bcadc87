"""The alarms feed: the CloudWatch alarms `[alarms]` names (by name and/or prefix), their state,
since when and why, recent values of their metric for a sparkline, and the transitions into and
out of ALARM as observations at the alarm's own state-change time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.config import AlarmsConfig
from warroom.sanitize import safe_line
from warroom.sources.aws import AwsClients
from warroom.sources.ecs import Observation
from warroom.sources.status import SourceStatus, describe_error, poll_every
from warroom.timeutil import utcnow

ALARM, OK, INSUFFICIENT = "ALARM", "OK", "INSUFFICIENT_DATA"
MISSING = "MISSING"  # a name in the config that CloudWatch does not know
_ORDER = {ALARM: 0, MISSING: 1, INSUFFICIENT: 2, OK: 3}
POINTS = 12  # metric values kept for a sparkline
NAMES_PER_CALL = 100  # DescribeAlarms takes at most 100 names
QUERIES_PER_CALL = 500  # GetMetricData takes at most 500 queries
FIRING, CLEARED = "alarm_firing", "alarm_cleared"
# On a console's first look, an alarm that went to ALARM within this is news; one firing for
# longer is the standing state (a timeline does not start with last week's alarm).
FIRST_LOOK = timedelta(hours=1)


@dataclass(frozen=True)
class Alarm:
    name: str
    state: str  # OK, ALARM, INSUFFICIENT_DATA, or MISSING
    since: datetime | None  # when it entered that state
    reason: str
    description: str = ""
    metric: str = ""  # the one metric it watches ("" for a composite or math alarm)
    threshold: float | None = None
    values: tuple[float, ...] = ()  # the metric's recent values, oldest first

    @property
    def firing(self) -> bool:
        return self.state == ALARM


@dataclass(frozen=True)
class AlarmSnapshot:
    at: datetime
    alarms: tuple[Alarm, ...]  # ALARM first, then missing, insufficient data, OK; by name
    source: SourceStatus
    observations: tuple[Observation, ...] = ()


def ordered(alarms: list[Alarm]) -> tuple[Alarm, ...]:
    return tuple(sorted(alarms, key=lambda a: (_ORDER.get(a.state, 1), a.name)))


def observe_alarms(
    previous: AlarmSnapshot | None, current: AlarmSnapshot
) -> tuple[Observation, ...]:
    """A transition into or out of ALARM, at the alarm's own state-change time; the subject
    carries that time, so every console and every poll that sees one transition names it
    alike (the journal writes it once). On the first snapshot an alarm that went to ALARM
    lately is news too (the console may open minutes after it fired)."""
    before = {a.name: a for a in previous.alarms} if previous is not None else {}
    found = []
    for alarm in current.alarms:
        old = before.get(alarm.name)
        if alarm.since is None or (old is not None and old.since == alarm.since):
            continue
        if old is None and previous is None and alarm.since < current.at - FIRST_LOOK:
            continue
        was_firing = old is not None and old.firing
        subject = f"{alarm.name}@{alarm.since.isoformat(timespec='milliseconds')}"
        if alarm.firing and not was_firing:
            text = f"alarm {alarm.name} ALARM" + (f": {alarm.reason}" if alarm.reason else "")
            found.append(Observation(alarm.since, "alarms", subject, FIRING, text))
        elif was_firing and not alarm.firing:
            text = f"alarm {alarm.name} back to {alarm.state}"
            found.append(Observation(alarm.since, "alarms", subject, CLEARED, text))
    return tuple(found)


def _utc(value: Any) -> datetime | None:
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def _alarm(raw: dict[str, Any]) -> Alarm:
    metric = ""
    if raw.get("MetricName"):
        metric = f"{raw.get('Namespace', '')} {raw['MetricName']}".strip()
    return Alarm(
        name=raw.get("AlarmName", ""),
        state=raw.get("StateValue", INSUFFICIENT),
        # The last transition; StateUpdatedTimestamp moves with a new reason too (moto only
        # gives that one).
        since=_utc(raw.get("StateTransitionedTimestamp") or raw.get("StateUpdatedTimestamp")),
        reason=safe_line(raw.get("StateReason", ""), limit=300),
        description=safe_line(raw.get("AlarmDescription", ""), limit=300),
        metric=metric,
        threshold=raw.get("Threshold"),
    )


def _query(n: int, raw: dict[str, Any]) -> dict[str, Any] | None:
    """The GetMetricData query of an alarm on one metric (None for the others)."""
    if not raw.get("MetricName") or not raw.get("Period"):
        return None
    stat = raw.get("Statistic") or raw.get("ExtendedStatistic")
    if not stat:
        return None
    metric = {
        "Namespace": raw.get("Namespace", ""),
        "MetricName": raw["MetricName"],
        "Dimensions": raw.get("Dimensions", []),
    }
    return {
        "Id": f"m{n}",
        "MetricStat": {"Metric": metric, "Period": raw["Period"], "Stat": stat},
        "ReturnData": True,
    }


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class AlarmFeed:
    """Polls DescribeAlarms every poll interval; the metrics' values (GetMetricData, one call
    for every alarm) within their own budget of calls a minute."""

    def __init__(
        self,
        config: AlarmsConfig,
        clients: AwsClients,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.config = config
        self._clients = clients
        self._clock = clock
        self._status = SourceStatus("CloudWatch alarms")
        self._values: dict[str, tuple[float, ...]] = {}
        self._metrics_at: datetime | None = None
        self.last: AlarmSnapshot | None = None

    def _describe(self, cloudwatch: Any) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        calls: list[dict[str, Any]] = [
            {"AlarmNames": chunk} for chunk in _chunks(list(self.config.names), NAMES_PER_CALL)
        ]
        if self.config.prefix:
            calls.append({"AlarmNamePrefix": self.config.prefix})
        paginator = cloudwatch.get_paginator("describe_alarms")
        for call in calls:
            for page in paginator.paginate(AlarmTypes=["MetricAlarm", "CompositeAlarm"], **call):
                for raw in (*page.get("MetricAlarms", ()), *page.get("CompositeAlarms", ())):
                    found[raw.get("AlarmName", "")] = raw
        return list(found.values())

    def _metrics_due(self, at: datetime) -> bool:
        per_minute = self.config.metric_requests_per_minute
        if per_minute <= 0:
            return False
        every = timedelta(minutes=1) / per_minute
        return self._metrics_at is None or at - self._metrics_at >= every

    def _fetch_values(self, cloudwatch: Any, raws: list[dict[str, Any]], at: datetime) -> None:
        queries = {}
        for n, raw in enumerate(raws):
            query = _query(n, raw)
            if query is not None:
                queries[query["Id"]] = (raw["AlarmName"], query)
        if not queries:
            return
        self._metrics_at = at
        longest = max(q["MetricStat"]["Period"] for _, q in queries.values())
        start = at - timedelta(seconds=longest * POINTS)
        for chunk in _chunks(list(queries.values()), QUERIES_PER_CALL):
            answer = cloudwatch.get_metric_data(
                MetricDataQueries=[q for _, q in chunk],
                StartTime=start,
                EndTime=at,
                ScanBy="TimestampAscending",
            )
            for result in answer.get("MetricDataResults", ()):
                name, _ = queries.get(result.get("Id", ""), ("", None))
                if name:
                    values = [float(v) for v in result.get("Values", ())]
                    self._values[name] = tuple(values[-POINTS:])

    def _fetch(self, at: datetime) -> tuple[Alarm, ...]:
        """Blocking: run in a thread."""
        cloudwatch = self._clients.client("cloudwatch")
        raws = self._describe(cloudwatch)
        if self._metrics_due(at):
            self._fetch_values(cloudwatch, raws, at)
        alarms = [replace(a, values=self._values.get(a.name, ())) for a in map(_alarm, raws)]
        known = {a.name for a in alarms}
        alarms += [
            Alarm(name, MISSING, None, "no such alarm in CloudWatch")
            for name in self.config.names
            if name not in known
        ]
        return ordered(alarms)

    async def poll(self) -> AlarmSnapshot:
        """One poll; never raises for a source problem: the snapshot says what went wrong and
        keeps the last good alarms, whose age the status tells."""
        started = time.perf_counter()
        at = self._clock()
        try:
            alarms = await asyncio.to_thread(self._fetch, at)
        except Exception as exc:  # any failure of the source is shown, never raised
            self._status = self._status.failed(
                at, describe_error(exc), time.perf_counter() - started
            )
            kept = self.last.alarms if self.last else ()
            return AlarmSnapshot(at, kept, self._status)
        self._status = self._status.succeeded(at, time.perf_counter() - started)
        snapshot = AlarmSnapshot(at, alarms, self._status)
        snapshot = replace(snapshot, observations=observe_alarms(self.last, snapshot))
        self.last = snapshot
        return snapshot

    def updates(self) -> AsyncIterator[AlarmSnapshot]:
        return poll_every(self.poll, self.config.poll_interval.total_seconds())
