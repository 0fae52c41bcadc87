"""The health feed against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from warroom.config import HealthEndpoint, SlaConfig
from warroom.sources.health import (
    Check,
    EndpointHealth,
    EndpointWindow,
    HealthFeed,
    HealthSnapshot,
    HealthState,
    p95,
)
from warroom.tls import tls_context
from warroom.ui.render import health_text

from .helpers.certs import self_signed
from .helpers.loopback import Loopback


@pytest.fixture
def server(health_server: Loopback) -> Loopback:
    return health_server


def endpoint(url: str, interval: float = 0.05, timeout: float = 1.0) -> HealthEndpoint:
    return HealthEndpoint("api", url, timedelta(seconds=interval), timedelta(seconds=timeout))


async def next_matching(feed: HealthFeed, predicate, limit: float = 10.0):
    """The first snapshot from the live feed whose endpoint satisfies `predicate`."""

    async def scan():
        async for snapshot in feed.updates():
            if predicate(snapshot.endpoints[0]):
                return snapshot.endpoints[0]
        raise AssertionError("feed ended")

    return await asyncio.wait_for(scan(), limit)


def test_p95_nearest_rank():
    assert p95([]) is None
    assert p95([0.1]) == 0.1
    assert p95([i / 100 for i in range(1, 101)]) == 0.95
    assert p95([0.1] * 19 + [5.0]) == 0.1
    assert p95([0.1] * 18 + [5.0, 5.0]) == 5.0


async def test_healthy_endpoint(server):
    feed = HealthFeed((endpoint(server.url),), SlaConfig())
    health = (await feed.probe()).endpoints[0]
    assert health.state is HealthState.OK
    assert health.reason == ""
    assert health.last.status_code == 200
    assert health.last.body_status == "ok"
    assert health.uptime == 100.0
    assert 0 < health.p95 < 0.5


async def test_unknown_before_any_check(server):
    feed = HealthFeed((endpoint(server.url),), SlaConfig())
    assert feed.snapshot().endpoints[0].state is HealthState.UNKNOWN


async def test_5xx_is_down_and_counts_against_uptime(server):
    feed = HealthFeed((endpoint(server.url),), SlaConfig())
    await feed.probe()
    server.status = 500
    server.body = {"status": "error"}
    health = (await feed.probe()).endpoints[0]
    assert health.state is HealthState.DOWN
    assert health.reason == "HTTP 500 (error)"
    assert health.uptime == 50.0
    assert health.history[-1] is None and health.history[0] is not None


T0 = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def fast_checks(window: EndpointWindow, count: int, latency: float = 0.02) -> None:
    start = window.checks[-1].at if window.checks else T0
    for n in range(1, count + 1):
        window.add(Check(start + timedelta(milliseconds=n), True, latency, 200, "ok", ""))


def test_a_calm_start_is_calm_until_the_p95_has_enough_checks():
    """`make demo`: the first check's warm-up (613 ms) is one of four: no SLA verdict yet, and the
    panel says the P95 is still gathering."""
    window = EndpointWindow(endpoint("http://127.0.0.1/h"), SlaConfig())
    window.add(Check(T0, True, 0.613, 200, "ok", ""))
    fast_checks(window, 3)
    early = window.view()
    assert early.state is HealthState.OK and early.reason == ""
    shown = health_text_of(early)
    assert "gathering 4/20 checks" in shown and "breach" not in shown
    fast_checks(window, 16)
    settled = window.view()
    assert settled.state is HealthState.OK
    assert "gathering" not in health_text_of(settled)


def health_text_of(health: EndpointHealth) -> str:
    return health_text(HealthSnapshot(T0, (health,)), T0).plain


async def test_slow_answers_breach_the_sla(server):
    server.delay = 0.12
    feed = HealthFeed((endpoint(server.url),), SlaConfig(p95_latency=timedelta(milliseconds=100)))
    first = (await feed.probe()).endpoints[0]
    assert first.state is HealthState.OK  # one slow answer is not yet a breach
    # 18 fast checks before: two slow answers of 20 are more than 5 %.
    fast_checks(feed.windows[0], 18)
    health = (await feed.probe()).endpoints[0]
    assert health.state is HealthState.DEGRADED
    # At least the server's delay; how much more depends on how busy the machine is.
    measured = re.match(r"SLA breach: p95 (\d+)ms > 100ms", health.reason)
    assert measured and int(measured.group(1)) >= 120, health.reason


async def test_uptime_below_sla_is_a_breach_even_when_up(server):
    feed = HealthFeed((endpoint(server.url),), SlaConfig(uptime_percent=99.5))
    server.status = 503
    await feed.probe()
    server.status = 200
    await feed.probe()
    health = (await feed.probe()).endpoints[0]
    assert health.state is HealthState.DEGRADED
    assert "uptime 66.7% < 99.5%" in health.reason


async def test_body_saying_degraded(server):
    server.body = {"status": "degraded", "checks": {"db": "ok", "ai_provider": "timeout after 30s"}}
    health = (await HealthFeed((endpoint(server.url),), SlaConfig()).probe()).endpoints[0]
    assert health.state is HealthState.DEGRADED
    assert health.reason == "reports degraded: ai_provider: timeout after 30s"


async def test_timeout_counts_as_failure(server):
    server.delay = 0.5
    feed = HealthFeed((endpoint(server.url, timeout=0.1),), SlaConfig())
    health = (await feed.probe()).endpoints[0]
    assert health.state is HealthState.DOWN
    assert health.reason.startswith("timeout after 0.1")
    assert health.uptime == 0.0


async def test_server_dies_and_comes_back(server):
    feed = HealthFeed((endpoint(server.url),), SlaConfig())
    up = await next_matching(feed, lambda h: h.state is HealthState.OK)
    first_ok = up.last_ok_at
    server.stop()
    down = await next_matching(feed, lambda h: h.state is HealthState.DOWN)
    assert down.reason == "connection refused"
    assert down.last_ok_at is not None and down.last_ok_at >= first_ok
    server.start()
    back = await next_matching(feed, lambda h: h.state in (HealthState.OK, HealthState.DEGRADED))
    assert back.last.status_code == 200
    assert back.last_ok_at > down.last_ok_at


async def test_nothing_listening_at_all():
    feed = HealthFeed((endpoint("http://127.0.0.1:9/api/v1/health"),), SlaConfig())
    health = (await feed.probe()).endpoints[0]
    assert health.state is HealthState.DOWN
    assert health.reason == "connection refused"
    assert health.last_ok_at is None


async def test_hostile_body_status_is_made_safe(server):
    server.body = {"status": "\x1b]0;owned\x07[bold]bad[/]"}
    health = (await HealthFeed((endpoint(server.url),), SlaConfig()).probe()).endpoints[0]
    assert health.last.body_status == "[bold]bad[/]"
    assert "\x1b" not in health.reason


async def test_an_https_endpoint_is_trusted_only_through_the_certificates_configured(
    tmp_path, monkeypatch
):
    """Every client shares one TLS context (warroom/tls.py): it still verifies, and it takes
    its CA bundle from SSL_CERT_FILE, as an internal service's certificate is trusted."""
    cert, server_context = self_signed(tmp_path)
    server = Loopback(path="/health", body={"status": "ok"}, tls=server_context).start()
    check = HealthFeed((endpoint(server.url),), SlaConfig())
    try:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        tls_context.cache_clear()  # made again, as by a new process
        untrusted = (await check.probe()).endpoints[0]
        assert untrusted.state is HealthState.DOWN
        assert "certificate verify failed" in untrusted.reason.lower()

        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        tls_context.cache_clear()
        trusted = (await check.probe()).endpoints[0]
        assert trusted.state is HealthState.OK and trusted.last.status_code == 200
    finally:
        server.stop()
        tls_context.cache_clear()  # the next test's comes from the environment it restores
