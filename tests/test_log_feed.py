"""The error-log tailer against moto's server over HTTP (and botocore's Stubber for throttling,
which moto does not do)."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta
from functools import partial

import boto3
from botocore.stub import Stubber

from warroom.config import AwsConfig, Config, LogGroupConfig, LogsConfig
from warroom.sources.aws import AwsClients
from warroom.sources.logs import LogTailer, RequestBudget
from warroom.sources.status import merged

from .conftest import eventually

REGION = "me-south-1"


def logs_client(url: str):
    return boto3.client("logs", region_name=REGION, endpoint_url=url)


def make_group(url: str, group: str) -> None:
    client = logs_client(url)
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName="app/1")


def put(url: str, group: str, *messages: str, age_s: float = 0.0) -> None:
    now = int((time.time() - age_s) * 1000)
    logs_client(url).put_log_events(
        logGroupName=group,
        logStreamName="app/1",
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
    )


def tailer_for(url: str, *groups: str, pattern: str = "ERROR", rate: float = 4.0) -> LogTailer:
    config = Config(aws=AwsConfig(region=REGION, endpoint_url=url))
    logs = LogsConfig(
        since=timedelta(minutes=10),
        filter_pattern=pattern,
        max_requests_per_second=rate,
        groups=tuple(LogGroupConfig(g) for g in groups),
    )
    return LogTailer(logs, AwsClients(config, connect_timeout=1, read_timeout=2))


async def test_initial_window_then_follow_in_order_without_duplicates(aws):
    make_group(aws, "/prod/backend")
    put(aws, "/prod/backend", "ERROR too old to show", age_s=11 * 60)
    put(aws, "/prod/backend", "ERROR db timeout", "ERROR pool exhausted", age_s=60)
    tailer = tailer_for(aws, "/prod/backend", pattern="")
    tail = tailer.groups[0]

    first = await tailer.poll(tail)
    assert first.initial and first.source.ok
    assert [line.message for line in first.lines] == ["ERROR db timeout", "ERROR pool exhausted"]
    assert first.lines[0].at < first.lines[1].at
    assert first.lines[0].level == "ERROR" and first.lines[0].stream == "app/1"

    again = await tailer.poll(tail)  # the polls overlap: nothing is shown twice
    assert not again.initial and again.lines == ()

    put(aws, "/prod/backend", "ERROR third")
    put(aws, "/prod/backend", "WARN fourth")
    later = await tailer.poll(tail)
    assert [line.message for line in later.lines] == ["ERROR third", "WARN fourth"]
    assert later.lines[1].level == "WARN"


async def test_paging_with_next_token(aws):
    make_group(aws, "/prod/backend")
    put(aws, "/prod/backend", *(f"ERROR line {n:02d}" for n in range(23)), age_s=5)
    tailer = tailer_for(aws, "/prod/backend", pattern="")
    tail = tailer.groups[0]
    tail.page_limit = 5
    batch = await tailer.poll(tail)
    assert [line.message for line in batch.lines] == [f"ERROR line {n:02d}" for n in range(23)]
    assert tailer.budget.requests == 5  # 5 + 5 + 5 + 5 + 3


async def test_hostile_lines_come_out_safe(aws):
    make_group(aws, "/prod/backend")
    hostile = [
        "ERROR [bold red]x[/] and a bare [/]",
        "ERROR \x1b[31mred\x1b[0m",
        "ERROR \x1b]0;owned\x07title",
        "ERROR nul\x00byte bell\x07",
        "ERROR key AKIAIOSFODNN7EXAMPLE leaked",
        "ERROR Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
        "ERROR postgres://app:hunter2@db.internal:5432/prod",
        "ERROR " + "x" * 1_000_000,
    ]
    put(aws, "/prod/backend", *hostile)
    tailer = tailer_for(aws, "/prod/backend", pattern="")
    lines = [line.message for line in (await tailer.poll(tailer.groups[0])).lines]
    assert lines[0] == "ERROR [bold red]x[/] and a bare [/]"  # literal: markup is not ours
    assert lines[1] == "ERROR red"
    assert lines[2] == "ERROR title"
    assert lines[3] == "ERROR nulbyte bell"
    assert lines[4] == "ERROR key [REDACTED-AWS-KEY] leaked"
    assert lines[5] == "ERROR Authorization: Bearer [REDACTED]"
    assert lines[6] == "ERROR postgres://app:[REDACTED]@db.internal:5432/prod"
    assert len(lines[7]) < 5000 and lines[7].endswith("[cut 995910 chars]")
    for line in lines:
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in line)


def test_invalid_utf8_is_replaced():
    from warroom.sanitize import safe_line

    assert safe_line(b"ERROR bad \xff\xfe bytes") == "ERROR bad \ufffd\ufffd bytes"
    assert safe_line("lone \udc80 surrogate") == "lone ? surrogate"
    # Log.write_lines splits on these too: a line must stay one row.
    assert safe_line("one\u2028two\u2029three") == "one ⏎ two ⏎ three"


async def test_missing_group_is_a_clear_failure_and_recovers(aws):
    tailer = tailer_for(aws, "/prod/nope", pattern="")
    batch = await tailer.poll(tailer.groups[0])
    assert batch.source.ok is False
    assert batch.source.reason.startswith("not found")
    make_group(aws, "/prod/nope")
    put(aws, "/prod/nope", "ERROR now it exists")
    batch = await tailer.poll(tailer.groups[0])
    assert batch.source.ok and [line.message for line in batch.lines] == ["ERROR now it exists"]


async def test_throttling_backs_off_and_recovers(aws):
    make_group(aws, "/prod/backend")
    tailer = tailer_for(aws, "/prod/backend", pattern="")
    tail = tailer.groups[0]
    client = tailer._client()
    with Stubber(client) as stub:
        stub.add_client_error(
            "filter_log_events",
            service_error_code="ThrottlingException",
            service_message="Rate exceeded",
            http_status_code=400,
        )
        stub.add_response(
            "filter_log_events",
            {
                "events": [
                    {
                        "eventId": "1",
                        "timestamp": int(time.time() * 1000),
                        "message": "ERROR back",
                        "logStreamName": "app/1",
                    },
                ]
            },
        )
        throttled = await tailer.poll(tail)
        assert throttled.source.ok is False
        assert throttled.source.reason == "throttled by AWS"
        assert tailer.budget.current == 2.0  # halved from 4/s
        assert tail.delay >= 1.0
        recovered = await tailer.poll(tail)
        assert recovered.source.ok
        assert [line.message for line in recovered.lines] == ["ERROR back"]
        assert tailer.budget.current > 2.0  # creeping back


async def test_budget_spaces_requests():
    budget = RequestBudget(20.0)
    started = time.monotonic()
    for _ in range(11):
        await budget.acquire()
    elapsed = time.monotonic() - started
    assert elapsed >= 0.49  # 10 gaps of 50 ms: never more than 20/s
    assert budget.requests == 11


async def test_ten_groups_share_the_budget(aws):
    groups = [f"/prod/svc{n}" for n in range(10)]
    for group in groups:
        make_group(aws, group)
        put(aws, group, f"ERROR from {group}")
    tailer = tailer_for(aws, *groups, pattern="", rate=4.0)
    sent: list[float] = []
    tailer._client().meta.events.register(
        "before-send.logs.FilterLogEvents", lambda **_: sent.append(time.monotonic())
    )
    seen: set[str] = set()

    async def run() -> None:
        async for batch in tailer.updates():
            seen.update(line.group for line in batch.lines)

    task = asyncio.create_task(run())
    # Until every group had its turn and the budget was used past that (at 4/s, some 3 s).
    try:
        await eventually(
            lambda: seen == set(groups) and len(sent) >= 12, "every group polled", timeout=15
        )
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert seen == set(groups)  # every group got its turn
    # No one-second window holds more than the budget (plus the request on its edge).
    worst = max(sum(1 for t in sent if s <= t < s + 1.0) for s in sent)
    assert worst <= 5, worst
    assert len(sent) >= 12  # and the budget is used, not wasted


async def test_the_merged_stream_takes_every_loops_items_and_stops_them_when_closed():
    """How the tailer's groups (and the console's feeds) come together: what each loop puts is
    yielded as it comes; closing the stream cancels every loop and waits for them."""
    stopped: list[str] = []

    async def loop(name: str, queue: asyncio.Queue[tuple[str, int]]) -> None:
        try:
            for n in itertools.count():
                await queue.put((name, n))
                await asyncio.sleep(0)
        finally:
            stopped.append(name)

    stream = merged([partial(loop, "a"), partial(loop, "b")], maxsize=10)
    got = [await anext(stream) for _ in range(6)]
    assert {name for name, _ in got} == {"a", "b"}
    assert [n for name, n in got if name == "a"] == sorted(n for name, n in got if name == "a")
    assert stopped == []
    await stream.aclose()
    assert sorted(stopped) == ["a", "b"]
