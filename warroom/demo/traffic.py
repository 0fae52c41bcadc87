"""Realistic log lines for the backend and the worker; pure functions of a random generator."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from warroom.demo.resources import TENANTS

# Makes one log message (without its timestamp).
LineMaker = Callable[[random.Random], str]

# (method, path, status, typical latency in ms); weights follow a shop's usual mix.
_REQUESTS: tuple[tuple[str, str, int, int, int], ...] = (
    ("GET", "/api/v1/orders", 200, 34, 30),
    ("POST", "/api/v1/orders", 201, 58, 12),
    ("GET", "/api/v1/orders/{id}", 200, 21, 15),
    ("GET", "/api/v1/products", 200, 27, 20),
    ("GET", "/api/v1/dashboard/summary", 200, 88, 8),
    ("POST", "/api/v1/auth/refresh", 200, 12, 6),
    ("GET", "/api/v1/notifications", 200, 19, 6),
    ("POST", "/api/v1/ai/chat", 200, 1400, 3),
)
_REQUEST_WEIGHTS = tuple(item[4] for item in _REQUESTS)

_JOBS: tuple[tuple[str, str, int], ...] = (
    ("send_order_confirmation", "notifications", 120),
    ("sync_inventory", "default", 840),
    ("generate_invoice_pdf", "default", 430),
    ("deliver_webhook", "webhooks", 95),
    ("ai_summarize_ticket", "ai", 2300),
    ("recalculate_dashboard", "default", 610),
)


def timestamp(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def request_id(rng: random.Random) -> str:
    return f"req-{rng.getrandbits(16):04x}"


def job_id(rng: random.Random) -> str:
    return f"job-{rng.getrandbits(16):04x}"


def tenant(rng: random.Random) -> str:
    return rng.choice(TENANTS)


def _path(rng: random.Random, template: str) -> str:
    return template.replace("{id}", str(rng.randint(10_000, 99_999)))


def backend_info(rng: random.Random) -> str:
    method, path, status, typical, _ = rng.choices(_REQUESTS, weights=_REQUEST_WEIGHTS)[0]
    latency = max(1, int(rng.gauss(typical, typical * 0.3)))
    return (
        f"INFO [{request_id(rng)}] {method} {_path(rng, path)} {status} {latency}ms "
        f"tenant={tenant(rng)}"
    )


def backend_warn(rng: random.Random) -> str:
    rid, who = request_id(rng), tenant(rng)
    return rng.choice(
        (
            f"WARN [{rid}] GET /api/v1/dashboard/summary 200 {rng.randint(520, 900)}ms "
            f"tenant={who} slow request (over 500ms)",
            f"WARN [{rid}] POST /api/v1/auth/refresh 401 {rng.randint(4, 15)}ms tenant={who} "
            "refresh token expired",
            f"WARN [{rid}] GET /api/v1/products 429 {rng.randint(1, 4)}ms tenant={who} "
            "rate limited (600 req/min)",
            f"WARN db pool busy: {rng.randint(15, 17)}/20 connections in use",
        )
    )


def worker_info(rng: random.Random) -> str:
    if rng.random() < 0.08:
        return f"INFO scheduler: enqueued {rng.randint(3, 40)} jobs from cron"
    name, queue, typical = rng.choice(_JOBS)
    took = max(1, int(rng.gauss(typical, typical * 0.25)))
    return f"INFO [{job_id(rng)}] {name} done {took}ms tenant={tenant(rng)} queue={queue}"


def worker_warn(rng: random.Random) -> str:
    who = tenant(rng)
    return rng.choice(
        (
            f"WARN [{job_id(rng)}] deliver_webhook retry {rng.randint(1, 4)}/5 tenant={who} "
            f"target=https://hooks.{who}.example/orders status=503",
            f"WARN queue default backlog {rng.randint(120, 400)} jobs (threshold 100)",
        )
    )
