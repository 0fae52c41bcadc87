"""Names of the demo world's resources: the runbook's production, and targets for mitigations."""

from __future__ import annotations

from typing import Final

REGION: Final = "me-south-1"
# moto accepts any key; these never reach real AWS (the endpoint is always the local moto server).
ACCESS_KEY_ID: Final = "testing"
SECRET_ACCESS_KEY: Final = "testing"

CLUSTER: Final = "saas-prod"
BACKEND_SERVICE: Final = "saas-backend"
WORKER_SERVICE: Final = "saas-worker"
SERVICES: Final = (BACKEND_SERVICE, WORKER_SERVICE)
BACKEND_FAMILY: Final = "saas-backend"
WORKER_FAMILY: Final = "saas-worker"
BACKEND_DESIRED: Final = 3
WORKER_DESIRED: Final = 2
# Registered in this order at seed time (revisions 1, 2, ...); the last one is the good revision
# the service runs. All but the last KEEP_ACTIVE are deregistered, as a release pipeline would.
BACKEND_VERSIONS: Final = (
    "2.12.0", "2.12.1", "2.13.0", "2.13.1", "2.14.0", "2.14.1", "2.14.2", "2.14.3",
)  # fmt: skip
WORKER_VERSIONS: Final = ("2.13.1", "2.14.0", "2.14.2", "2.14.3")
KEEP_ACTIVE: Final = 3
# What the bad-deploy scenario ships.
BAD_BACKEND_VERSION: Final = "2.15.0"

BACKEND_LOG_GROUP: Final = "/prod/backend"
WORKER_LOG_GROUP: Final = "/prod/worker"
LOG_GROUPS: Final = (BACKEND_LOG_GROUP, WORKER_LOG_GROUP)

REDIS_GROUP: Final = "saas-redis"

AI_PROVIDER_PARAMETER: Final = "/saas-prod/ai/provider"
AI_PROVIDERS: Final = ("openai", "anthropic", "bedrock")
DEFAULT_AI_PROVIDER: Final = "openai"

USER_POOL: Final = "saas-prod-users"
USER_POOL_CLIENT: Final = "saas-web"

DB_SECRET: Final = "saas-prod/db-password"

TENANTS: Final = ("acme", "globex", "initech", "umbrella", "hooli", "stark")
# One stream per group, named the way the ECS awslogs driver names them.
LOG_STREAMS: Final = {
    BACKEND_LOG_GROUP: "ecs/app/7c3e9a41d2b84f06a1e5",
    WORKER_LOG_GROUP: "ecs/worker/b5d10f2e63c94a7e8f21",
}
