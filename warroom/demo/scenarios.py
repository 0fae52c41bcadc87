"""The failures the demo can stage, one per row of the runbook's mitigation table.

A scenario changes the world once (`inject`) and from then on judges each reading of the world
(`symptom`): the symptom lasts exactly as long as the state that causes it, so whatever heals the
state (the console, the AWS CLI, a script) heals the world.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from warroom.demo import resources as r
from warroom.demo.moto_host import DemoClients
from warroom.demo.seed import Seeded, register
from warroom.demo.state import WorldState
from warroom.demo.traffic import LineMaker, job_id, request_id, tenant

# Each backend or worker task holds this many connections; the database takes this many.
CONNECTIONS_PER_TASK = 20
MAX_DB_CONNECTIONS = 200
OVERLOAD_WORKER_COUNT = 12
AI_TIMEOUT_S = 30


@dataclass(frozen=True)
class Symptom:
    """How a broken world shows: the health answer and the extra log lines."""

    status_code: int
    status: str  # the health body's "status": "error" or "degraded"
    checks: Mapping[str, str]
    latency_ms: tuple[int, int]
    backend_errors: LineMaker | None = None
    backend_error_rate: float = 0.0  # lines per second
    worker_errors: LineMaker | None = None
    worker_error_rate: float = 0.0
    traffic_factor: float = 1.0  # share of the backend's ordinary lines still written


@dataclass(frozen=True)
class Injection:
    summary: str  # one line for the operator: what broke
    target: str = ""  # what the symptom rule keys on (a revision, a provider)


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    fires: bool = True
    # The mitigation that heals it, as an AWS CLI command (for the operator; {good} is the
    # last good backend revision).
    remedy: str = ""
    _inject: Callable[[DemoClients, Seeded, WorldState], Injection] | None = field(
        default=None, repr=False
    )
    _symptom: Callable[[WorldState, Injection], Symptom | None] | None = field(
        default=None, repr=False
    )

    def inject(self, clients: DemoClients, seeded: Seeded, state: WorldState) -> Injection:
        if self._inject is None:
            return Injection("nothing")
        return self._inject(clients, seeded, state)

    def symptom(self, state: WorldState, injection: Injection) -> Symptom | None:
        return None if self._symptom is None else self._symptom(state, injection)

    def remedy_for(self, seeded: Seeded) -> str:
        return self.remedy.format(good=seeded.good_backend_revision)


# --- bad deploy -------------------------------------------------------------------------------

_MISSING_COLUMN = (
    "sqlalchemy.exc.ProgrammingError: (psycopg.errors.UndefinedColumn) "
    "column orders.tenant_ref does not exist"
)


def _bad_deploy_error(rng: random.Random) -> str:
    rid, who, took = request_id(rng), tenant(rng), rng.randint(800, 2000)
    if rng.random() < 0.1:
        return (
            f"ERROR [{rid}] unhandled exception in OrdersRepository.list_for_tenant "
            f"(app/orders/repository.py:88) tenant={who} {_MISSING_COLUMN}"
        )
    method, path = rng.choice(
        (
            ("POST", "/api/v1/orders"),
            ("GET", "/api/v1/orders"),
            ("GET", "/api/v1/dashboard/summary"),
            ("GET", f"/api/v1/orders/{rng.randint(10_000, 99_999)}"),
        )
    )
    return f"ERROR [{rid}] {method} {path} 500 {took}ms tenant={who} {_MISSING_COLUMN}"


def _bad_deploy_inject(clients: DemoClients, seeded: Seeded, state: WorldState) -> Injection:
    revision = register(clients, r.BACKEND_FAMILY, r.BAD_BACKEND_VERSION, r.BACKEND_LOG_GROUP)
    clients.ecs.update_service(
        cluster=r.CLUSTER,
        service=r.BACKEND_SERVICE,
        taskDefinition=f"{r.BACKEND_FAMILY}:{revision}",
    )
    return Injection(
        f"deployed {r.BACKEND_FAMILY}:{revision} ({r.BAD_BACKEND_VERSION}) over "
        f"{r.BACKEND_FAMILY}:{state.backend_revision}",
        target=str(revision),
    )


def _bad_deploy_symptom(state: WorldState, injection: Injection) -> Symptom | None:
    if state.backend_version != r.BAD_BACKEND_VERSION:
        return None
    return Symptom(
        status_code=500,
        status="error",
        checks={"db": "error: column orders.tenant_ref does not exist"},
        latency_ms=(800, 2000),
        backend_errors=_bad_deploy_error,
        backend_error_rate=8.0,
        traffic_factor=0.4,
    )


# --- AI provider down -------------------------------------------------------------------------


def _ai_timeout(provider: str) -> str:
    return f"AIProviderTimeout: {provider} did not answer in {AI_TIMEOUT_S}s"


def _ai_down_inject(clients: DemoClients, seeded: Seeded, state: WorldState) -> Injection:
    # Nothing in AWS changes: the provider itself stops answering.
    return Injection(f"{state.ai_provider} stopped answering", target=state.ai_provider)


def _ai_down_symptom(state: WorldState, injection: Injection) -> Symptom | None:
    provider = injection.target
    if state.ai_provider != provider:
        return None

    def backend(rng: random.Random) -> str:
        path = rng.choice(("/api/v1/ai/chat", "/api/v1/ai/summarize", "/api/v1/ai/suggest"))
        took = AI_TIMEOUT_S * 1000 + rng.randint(1, 40)
        return (
            f"ERROR [{request_id(rng)}] POST {path} 504 {took}ms tenant={tenant(rng)} "
            f"{_ai_timeout(provider)}"
        )

    def worker(rng: random.Random) -> str:
        return (
            f"ERROR [{job_id(rng)}] ai_summarize_ticket failed attempt={rng.randint(1, 3)}/3 "
            f"tenant={tenant(rng)} {_ai_timeout(provider)}"
        )

    return Symptom(
        status_code=200,
        status="degraded",
        checks={"ai_provider": f"timeout: {provider} did not answer in {AI_TIMEOUT_S}s"},
        latency_ms=(30, 120),
        backend_errors=backend,
        backend_error_rate=3.0,
        worker_errors=worker,
        worker_error_rate=0.5,
    )


# --- database overloaded ----------------------------------------------------------------------

_TOO_MANY = "psycopg.OperationalError: connection failed: FATAL: sorry, too many clients already"


def _db_inject(clients: DemoClients, seeded: Seeded, state: WorldState) -> Injection:
    clients.ecs.update_service(
        cluster=r.CLUSTER, service=r.WORKER_SERVICE, desiredCount=OVERLOAD_WORKER_COUNT
    )
    return Injection(
        f"a queue backlog scaled {r.WORKER_SERVICE} to {OVERLOAD_WORKER_COUNT} tasks; "
        f"the database allows {MAX_DB_CONNECTIONS} connections"
    )


def _db_symptom(state: WorldState, injection: Injection) -> Symptom | None:
    if state.total_tasks * CONNECTIONS_PER_TASK <= MAX_DB_CONNECTIONS:
        return None

    def backend(rng: random.Random) -> str:
        rid, who = request_id(rng), tenant(rng)
        if rng.random() < 0.4:
            return (
                f"ERROR [{rid}] GET /api/v1/orders 500 30012ms tenant={who} "
                "sqlalchemy.exc.TimeoutError: QueuePool limit of size 20 overflow 0 reached, "
                "connection timed out, timeout 30.00"
            )
        path = rng.choice(("/api/v1/orders", "/api/v1/products", "/api/v1/dashboard/summary"))
        return f"ERROR [{rid}] GET {path} 500 {rng.randint(900, 2500)}ms tenant={who} {_TOO_MANY}"

    def worker(rng: random.Random) -> str:
        name = rng.choice(("sync_inventory", "generate_invoice_pdf", "recalculate_dashboard"))
        return f"ERROR [{job_id(rng)}] {name} failed tenant={tenant(rng)} {_TOO_MANY}"

    return Symptom(
        status_code=503,
        status="error",
        checks={"db": "error: FATAL: sorry, too many clients already"},
        latency_ms=(900, 2500),
        backend_errors=backend,
        backend_error_rate=5.0,
        worker_errors=worker,
        worker_error_rate=3.0,
        traffic_factor=0.5,
    )


# --- Redis down -------------------------------------------------------------------------------

_REDIS_REFUSED = (
    f"redis.exceptions.ConnectionError: Error 111 connecting to "
    f"master.{r.REDIS_GROUP}.cache.amazonaws.com:6379. Connection refused."
)


def _redis_inject(clients: DemoClients, seeded: Seeded, state: WorldState) -> Injection:
    clients.elasticache.modify_replication_group(
        ReplicationGroupId=r.REDIS_GROUP, AutomaticFailoverEnabled=False, ApplyImmediately=True
    )
    return Injection(
        f"the primary of {r.REDIS_GROUP} died and automatic failover is off: no replica promoted"
    )


def _redis_symptom(state: WorldState, injection: Injection) -> Symptom | None:
    if state.redis_automatic_failover:
        return None

    def backend(rng: random.Random) -> str:
        path = rng.choice(("/api/v1/auth/refresh", "/api/v1/orders", "/api/v1/notifications"))
        return (
            f"ERROR [{request_id(rng)}] POST {path} 500 {rng.randint(5, 40)}ms "
            f"tenant={tenant(rng)} {_REDIS_REFUSED}"
        )

    def worker(rng: random.Random) -> str:
        return f"ERROR queue poll failed (queue={rng.choice(('default', 'ai'))}) {_REDIS_REFUSED}"

    return Symptom(
        status_code=503,
        status="error",
        checks={"redis": f"error: {_REDIS_REFUSED}"},
        latency_ms=(20, 80),
        backend_errors=backend,
        backend_error_rate=4.0,
        worker_errors=worker,
        worker_error_rate=2.0,
        traffic_factor=0.3,
    )


_ALTERNATIVE = next(p for p in r.AI_PROVIDERS if p != r.DEFAULT_AI_PROVIDER)

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "bad-deploy",
            "a new saas-backend revision ships a broken migration: 500s, slow answers, "
            "ERROR flood on /prod/backend",
            remedy=(
                f"aws ecs update-service --cluster {r.CLUSTER} --service {r.BACKEND_SERVICE} "
                f"--task-definition {r.BACKEND_FAMILY}:{{good}}"
            ),
            _inject=_bad_deploy_inject,
            _symptom=_bad_deploy_symptom,
        ),
        Scenario(
            "ai-provider-down",
            "the active AI provider stops answering: health degraded, AI timeouts in the logs",
            remedy=(
                f"aws ssm put-parameter --name {r.AI_PROVIDER_PARAMETER} --value {_ALTERNATIVE} "
                "--overwrite"
            ),
            _inject=_ai_down_inject,
            _symptom=_ai_down_symptom,
        ),
        Scenario(
            "db-overloaded",
            f"{r.WORKER_SERVICE} scales to {OVERLOAD_WORKER_COUNT} tasks and exhausts the "
            "database's connections: 503s and slow answers",
            remedy=(
                f"aws ecs update-service --cluster {r.CLUSTER} --service {r.WORKER_SERVICE} "
                f"--desired-count {r.WORKER_DESIRED}"
            ),
            _inject=_db_inject,
            _symptom=_db_symptom,
        ),
        Scenario(
            "redis-down",
            f"the {r.REDIS_GROUP} primary dies with automatic failover off: 503s, "
            "Redis connection errors",
            remedy=(
                f"aws elasticache modify-replication-group --replication-group-id "
                f"{r.REDIS_GROUP} --automatic-failover-enabled --apply-immediately"
            ),
            _inject=_redis_inject,
            _symptom=_redis_symptom,
        ),
        Scenario("calm", "nothing breaks: steady traffic only", fires=False),
    )
}

# `none` reads naturally on a command line too.
ALIASES = {"none": "calm"}


def get_scenario(name: str) -> Scenario:
    key = ALIASES.get(name, name)
    if key not in SCENARIOS:
        known = ", ".join(SCENARIOS)
        raise ValueError(f"unknown demo scenario {name!r}; known scenarios: {known}")
    return SCENARIOS[key]
