"""The demo's CloudWatch alarms, like a real stack's: API 5xx count, API p95 latency, worker
errors and Redis CPU. moto does not evaluate alarms, so the demo publishes their metrics and
sets their state itself, from the same symptom that breaks health and floods the logs: after
the bad deploy the 5xx alarm is in ALARM at the next reading of the world, after the rollback
OK again."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from warroom.demo import resources as r
from warroom.demo.scenarios import Symptom

PREFIX = "saas-prod-"
ALB = (("LoadBalancer", "app/saas-prod-alb/50dc6c495c0c9188"),)
REDIS = (("ReplicationGroupId", r.REDIS_GROUP),)


@dataclass(frozen=True)
class DemoAlarm:
    name: str
    description: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    threshold: float
    calm: tuple[float, float]  # a datapoint's range while nothing is wrong
    # The datapoint while `symptom` breaks what the alarm watches; None: it does not.
    broken: Callable[[Symptom], float | None]


def _if(condition: bool, value: float) -> float | None:
    return value if condition else None


ALARMS = (
    DemoAlarm(
        f"{PREFIX}api-5xx",
        "API returns 5xx (saas-backend behind the ALB)",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ALB,
        "Sum",
        10,
        (0, 2),
        lambda s: _if(s.status_code >= 500, max(s.backend_error_rate, 1.0) * 60),
    ),
    DemoAlarm(
        f"{PREFIX}api-p95-latency",
        "API p95 latency above the 500 ms SLA",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        ALB,
        "Average",
        0.5,
        (0.03, 0.09),
        lambda s: _if(s.latency_ms[1] > 500, sum(s.latency_ms) / 2000),
    ),
    DemoAlarm(
        f"{PREFIX}worker-errors",
        "saas-worker logs errors",
        "SaaS/Worker",
        "Errors",
        (("Service", r.WORKER_SERVICE),),
        "Sum",
        20,
        (0, 3),
        lambda s: _if(s.worker_error_rate >= 1.0, s.worker_error_rate * 60),
    ),
    DemoAlarm(
        f"{PREFIX}redis-cpu",
        f"Redis {r.REDIS_GROUP} engine CPU",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        REDIS,
        "Average",
        80,
        (12, 30),
        lambda s: _if("redis" in s.checks, 97.0),
    ),
)


def _dimensions(alarm: DemoAlarm) -> list[dict[str, str]]:
    return [{"Name": name, "Value": value} for name, value in alarm.dimensions]


def seed_alarms(cloudwatch: Any) -> None:
    for alarm in ALARMS:
        cloudwatch.put_metric_alarm(
            AlarmName=alarm.name,
            AlarmDescription=alarm.description,
            Namespace=alarm.namespace,
            MetricName=alarm.metric,
            Dimensions=_dimensions(alarm),
            Statistic=alarm.statistic,
            Period=60,
            EvaluationPeriods=1,
            Threshold=alarm.threshold,
            ComparisonOperator="GreaterThanThreshold",
            TreatMissingData="notBreaching",
        )
        cloudwatch.set_alarm_state(
            AlarmName=alarm.name, StateValue="OK", StateReason=_reason(alarm, alarm.calm[0], False)
        )


def _reason(alarm: DemoAlarm, value: float, firing: bool) -> str:
    """CloudWatch's own wording."""
    verb = "was greater than" if firing else "was not greater than"
    limit = f"the threshold ({alarm.threshold:g})"
    return f"Threshold Crossed: 1 datapoint [{value:.4g}] {verb} {limit}."


class AlarmDriver:
    """Publishes each alarm's metric and sets its state when the world breaks or heals."""

    def __init__(self, cloudwatch: Any, rng: random.Random) -> None:
        self._cloudwatch = cloudwatch
        self._rng = rng
        self._lock = threading.Lock()  # the observer and the driver both read the world
        self._firing = {alarm.name: False for alarm in ALARMS}

    def update(self, symptom: Symptom | None) -> None:
        with self._lock:
            now = datetime.now(UTC)
            values: dict[str, list[dict[str, Any]]] = {}
            changed = []
            for alarm in ALARMS:
                value = alarm.broken(symptom) if symptom is not None else None
                firing = value is not None
                if value is None:
                    value = self._rng.uniform(*alarm.calm)
                datum = {
                    "MetricName": alarm.metric,
                    "Dimensions": _dimensions(alarm),
                    "Value": value,
                    "Timestamp": now,
                }
                values.setdefault(alarm.namespace, []).append(datum)
                if firing != self._firing[alarm.name]:
                    changed.append((alarm, value, firing))
            for namespace, data in values.items():
                self._cloudwatch.put_metric_data(Namespace=namespace, MetricData=data)
            for alarm, value, firing in changed:
                self._cloudwatch.set_alarm_state(
                    AlarmName=alarm.name,
                    StateValue="ALARM" if firing else "OK",
                    StateReason=_reason(alarm, value, firing),
                )
                self._firing[alarm.name] = firing
