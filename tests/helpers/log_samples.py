"""Log lines shaped like the ones real teams collect (nginx and Apache access and error logs,
PostgreSQL, JVM stack-trace heads, HAProxy, syslog), each labelled with the template it came
from: grouping must put one template's lines together and different templates apart. The
benchmark (benchmarks/bench_signatures.py) uses them too."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from warroom.demo import resources as r
from warroom.demo import traffic
from warroom.demo.scenarios import Injection, get_scenario
from warroom.demo.state import WorldState

Maker = Callable[[random.Random], str]
T0 = datetime(2026, 11, 30, 4, 22, tzinfo=UTC)


def _ip(rng: random.Random) -> str:
    return ".".join(str(rng.randint(1, 254)) for _ in range(4))


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _clock(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def _day(rng: random.Random) -> int:
    return rng.randint(10, 28)


def _user(rng: random.Random) -> str:
    return rng.choice(("alice", "bob", "app_rw", "reporting", "svc-orders"))


TEMPLATES: dict[str, Maker] = {
    "nginx-access-get-order": lambda r: (
        f'{_ip(r)} - - [{_day(r)}/Nov/2026:{_clock(r)} +0000] "GET /api/v1/orders/'
        f'{r.randint(1, 99999)} HTTP/1.1" 500 {r.randint(100, 900)} "-" '
        '"Mozilla/5.0 (X11; Linux x86_64)"'
    ),
    "nginx-error-upstream": lambda r: (
        f"2026/11/{_day(r)} {_clock(r)} [error] {r.randint(1, 999)}#{r.randint(0, 9)}: "
        f"*{r.randint(1, 999999)} upstream timed out (110: Connection timed out) while reading "
        f"response header from upstream, client: {_ip(r)}, server: api.example.com, request: "
        f'"GET /api/v1/orders HTTP/1.1", upstream: "http://{_ip(r)}:8080/api/v1/orders"'
    ),
    "nginx-error-connect": lambda r: (
        f"2026/11/{_day(r)} {_clock(r)} [error] {r.randint(1, 999)}#{r.randint(0, 9)}: "
        f"*{r.randint(1, 999999)} connect() failed (111: Connection refused) while connecting "
        f"to upstream, client: {_ip(r)}, server: api.example.com"
    ),
    "apache-error-php": lambda r: (
        f"[Mon Nov {_day(r)} {_clock(r)}.{r.randint(100000, 999999)} 2026] [php:error] "
        f"[pid {r.randint(100, 99999)}] [client {_ip(r)}:{r.randint(1024, 65535)}] PHP Fatal error:"
        f"  Allowed memory size of {r.choice((134217728, 268435456))} bytes exhausted"
    ),
    "apache-error-file": lambda r: (
        f"[Mon Nov {_day(r)} {_clock(r)}.{r.randint(100000, 999999)} 2026] [core:error] "
        f"[pid {r.randint(100, 99999)}] [client {_ip(r)}:{r.randint(1024, 65535)}] AH00128: "
        f"File does not exist: /var/www/html/favicon.ico"
    ),
    "postgres-duplicate": lambda r: (
        f"2026-11-{_day(r)} {_clock(r)}.{r.randint(100, 999)} UTC [{r.randint(100, 99999)}] "
        f"{_user(r)}@orders ERROR:  duplicate key value violates unique constraint "
        f'"orders_pkey" DETAIL:  Key (id)=({r.randint(1, 10**6)}) already exists.'
    ),
    "postgres-missing-column": lambda r: (
        f"2026-11-{_day(r)} {_clock(r)}.{r.randint(100, 999)} UTC [{r.randint(100, 99999)}] "
        f'{_user(r)}@orders ERROR:  column "{r.choice(("tenant_ref", "owner_id"))}" does not exist'
        f" at character {r.randint(8, 300)}"
    ),
    "postgres-deadlock": lambda r: (
        f"2026-11-{_day(r)} {_clock(r)}.{r.randint(100, 999)} UTC [{r.randint(100, 99999)}] "
        f"{_user(r)}@orders ERROR:  deadlock detected DETAIL:  Process {r.randint(100, 99999)} "
        f"waits for ShareLock on transaction {r.randint(10**5, 10**7)}; blocked by process "
        f"{r.randint(100, 99999)}."
    ),
    "jvm-npe": lambda r: (
        f"2026-11-{_day(r)} {_clock(r)}.{r.randint(100, 999)} ERROR {r.randint(1, 9)} --- "
        f"[nio-8080-exec-{r.randint(1, 200)}] o.a.c.c.C.[.[.[/].[dispatcherServlet] : "
        f"Servlet.service() threw exception java.lang.NullPointerException: Cannot invoke "
        f'"com.example.Order.getTenant()" because "order" is null'
    ),
    "jvm-timeout": lambda r: (
        f"2026-11-{_day(r)} {_clock(r)}.{r.randint(100, 999)} ERROR {r.randint(1, 9)} --- "
        f"[pool-{r.randint(1, 9)}-thread-{r.randint(1, 64)}] c.e.billing.InvoiceClient : "
        f"java.net.SocketTimeoutException: Read timed out after {r.randint(1000, 30000)} ms "
        f"calling https://billing.internal/invoices/{_hex(r, 12)}"
    ),
    "haproxy-503": lambda r: (
        f"Nov {_day(r)} {_clock(r)} lb1 haproxy[{r.randint(100, 9999)}]: {_ip(r)}:"
        f"{r.randint(1024, 65535)} [{_day(r)}/Nov/2026:{_clock(r)}.{r.randint(100, 999)}] "
        f"https~ api/<NOSRV> 0/-1/-1/-1/{r.randint(0, 9)} 503 {r.randint(200, 250)} - - SC-- "
        f'{r.randint(0, 999)}/{r.randint(0, 99)}/0/0/0 0/0 "GET /api/v1/orders HTTP/1.1"'
    ),
    "haproxy-server-down": lambda r: (
        f"Nov {_day(r)} {_clock(r)} lb1 haproxy[{r.randint(100, 9999)}]: Server api/web"
        f"{r.randint(1, 9)} is DOWN, reason: Layer4 timeout, check duration: "
        f"{r.randint(1000, 3000)}ms. {r.randint(0, 3)} active and 0 backup servers left."
    ),
    "syslog-oom": lambda r: (
        f"Nov {_day(r)} {_clock(r)} ip-10-0-{r.randint(0, 255)}-{r.randint(0, 255)} kernel: "
        f"[{r.randint(1000, 99999)}.{r.randint(100000, 999999)}] Out of memory: Killed process "
        f"{r.randint(100, 99999)} (java) total-vm:{r.randint(10**6, 10**7)}kB, "
        f"anon-rss:{r.randint(10**5, 10**6)}kB"
    ),
    "syslog-sshd": lambda r: (
        f"Nov {_day(r)} {_clock(r)} bastion sshd[{r.randint(100, 99999)}]: Failed password for "
        f"invalid user admin from {_ip(r)} port "
        f"{r.randint(1024, 65535)} ssh2"
    ),
    "syslog-systemd": lambda r: (
        f"Nov {_day(r)} {_clock(r)} ip-10-0-1-{r.randint(1, 254)} systemd[1]: "
        f"app.service: Main process exited, code=exited, "
        f"status={r.randint(1, 255)}/FAILURE"
    ),
}


def samples(per_template: int, seed: int = 17) -> list[tuple[str, str]]:
    """(template name, line), shuffled."""
    rng = random.Random(seed)
    rows = [(name, make(rng)) for name, make in TEMPLATES.items() for _ in range(per_template)]
    rng.shuffle(rows)
    return rows


def bad_deploy_flood(count: int, seed: int = 9) -> list[tuple[datetime, str]]:
    """The ERROR lines the demo writes to /prod/backend after the bad deploy, as written."""
    state = WorldState(
        backend_task_definition=f"{r.BACKEND_FAMILY}:9",
        backend_revision=9,
        backend_version=r.BAD_BACKEND_VERSION,
        backend_desired=3,
        worker_desired=2,
        ai_provider="openai",
        redis_automatic_failover=True,
        observed_at=0.0,
    )
    symptom = get_scenario("bad-deploy").symptom(state, Injection("bad deploy", "9"))
    assert symptom is not None and symptom.backend_errors is not None
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        at = T0 + timedelta(milliseconds=125 * i)
        ms = int(at.timestamp() * 1000)
        lines.append((at, f"{traffic.timestamp(ms)} {symptom.backend_errors(rng)}"))
    return lines
