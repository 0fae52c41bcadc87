"""Shared by the log-tailing benchmarks: an in-process moto server on 127.0.0.1, throwaway
credentials, log groups, and a `LogTailer` pointed at the server (as tests/test_log_feed.py does).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3

from warroom.config import AwsConfig, Config, LogGroupConfig, LogsConfig
from warroom.sources.aws import AwsClients
from warroom.sources.logs import LogTailer

REGION = "me-south-1"
STREAM = "app/1"


def use_fake_credentials() -> None:
    """Throwaway credentials in this process's environment (inherited by subprocesses); no
    profile, token or shared file is read."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LOGS"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server in a thread of this process; yields its URL and always stops it."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("werkzeug").disabled = True
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset(url: str) -> None:
    """Empties the moto server (every log group goes)."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def logs_client(url: str) -> Any:
    return boto3.client("logs", region_name=REGION, endpoint_url=url)


def make_groups(url: str, groups: list[str]) -> None:
    client = logs_client(url)
    for group in groups:
        client.create_log_group(logGroupName=group)
        client.create_log_stream(logGroupName=group, logStreamName=STREAM)


def put_line(client: Any, group: str, message: str) -> float:
    """One event, stamped now; returns time.monotonic() once put_log_events has returned."""
    client.put_log_events(
        logGroupName=group,
        logStreamName=STREAM,
        logEvents=[{"timestamp": int(time.time() * 1000), "message": message}],
    )
    return time.monotonic()


def tailer_for(url: str, groups: list[str], *, rate: float = 4.0) -> LogTailer:
    """The tailer as the console builds it: ERROR over the last 10m, default timeouts."""
    config = Config(aws=AwsConfig(region=REGION, endpoint_url=url))
    logs = LogsConfig(
        since=timedelta(minutes=10),
        filter_pattern="ERROR",
        max_requests_per_second=rate,
        groups=tuple(LogGroupConfig(g) for g in groups),
    )
    return LogTailer(logs, AwsClients(config))


def record_requests(tailer: LogTailer) -> list[float]:
    """time.monotonic() of every FilterLogEvents request the tailer sends, as it goes out."""
    sent: list[float] = []
    tailer._client().meta.events.register(
        "before-send.logs.FilterLogEvents", lambda **_: sent.append(time.monotonic())
    )
    return sent


def worst_window(times: list[float], width: float = 1.0) -> int:
    """The most requests in any `width`-second window (windows start at each request)."""
    ordered = sorted(times)
    worst, first = 0, 0
    for last, t in enumerate(ordered):
        while ordered[first] <= t - width:
            first += 1
        worst = max(worst, last - first + 1)
    return worst


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
