"""Steady log traffic into CloudWatch Logs, plus whatever errors the current symptom adds."""

from __future__ import annotations

import random

from warroom.demo import resources as r
from warroom.demo import traffic
from warroom.demo.moto_host import DemoClients
from warroom.demo.scenarios import Symptom
from warroom.demo.traffic import LineMaker

# Lines per second in a calm world, and the share of them that are warnings.
BACKEND_RATE = 3.0
WORKER_RATE = 1.5
WARN_SHARE = 0.06
# After an outage of the writer, do not back-fill more than this much traffic at once.
MAX_WINDOW_MS = 10_000


class LogWriter:
    def __init__(self, clients: DemoClients, rng: random.Random) -> None:
        self._clients = clients
        self._rng = rng

    def _count(self, expected: float) -> int:
        # Whole lines, with the fraction kept on average.
        whole = int(expected)
        return whole + (1 if self._rng.random() < expected - whole else 0)

    def _lines(
        self,
        start_ms: int,
        end_ms: int,
        count: int,
        make: LineMaker,
    ) -> list[tuple[int, str]]:
        return [(self._rng.randint(start_ms, end_ms), make(self._rng)) for _ in range(count)]

    def _group_events(
        self,
        start_ms: int,
        end_ms: int,
        rate: float,
        info: LineMaker,
        warn: LineMaker,
        errors: LineMaker | None,
        error_rate: float,
        traffic_factor: float,
    ) -> list[dict[str, object]]:
        seconds = (end_ms - start_ms) / 1000

        def ordinary(rng: random.Random) -> str:
            return warn(rng) if rng.random() < WARN_SHARE else info(rng)

        lines = self._lines(
            start_ms, end_ms, self._count(rate * traffic_factor * seconds), ordinary
        )
        if errors is not None:
            lines += self._lines(start_ms, end_ms, self._count(error_rate * seconds), errors)
        # put_log_events wants each batch in time order.
        lines.sort(key=lambda item: item[0])
        return [
            {"timestamp": at, "message": f"{traffic.timestamp(at)} {text}"} for at, text in lines
        ]

    def write(self, start_ms: int, end_ms: int, symptom: Symptom | None) -> int:
        """Write the traffic of (start_ms, end_ms]; returns how many lines were written."""
        start_ms = max(start_ms + 1, end_ms - MAX_WINDOW_MS)
        if end_ms < start_ms:
            return 0
        factor = symptom.traffic_factor if symptom else 1.0
        batches = {
            r.BACKEND_LOG_GROUP: self._group_events(
                start_ms,
                end_ms,
                BACKEND_RATE,
                traffic.backend_info,
                traffic.backend_warn,
                symptom.backend_errors if symptom else None,
                symptom.backend_error_rate if symptom else 0.0,
                factor,
            ),
            r.WORKER_LOG_GROUP: self._group_events(
                start_ms,
                end_ms,
                WORKER_RATE,
                traffic.worker_info,
                traffic.worker_warn,
                symptom.worker_errors if symptom else None,
                symptom.worker_error_rate if symptom else 0.0,
                1.0,
            ),
        }
        written = 0
        for group, events in batches.items():
            if events:
                self._clients.logs.put_log_events(
                    logGroupName=group, logStreamName=r.LOG_STREAMS[group], logEvents=events
                )
                written += len(events)
        return written
