"""The warroom config (and its credentials file) that points the console at the demo world."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from warroom.demo import resources as r

CONFIG_NAME = "warroom.toml"
CREDENTIALS_NAME = "credentials"
# A profile of its own: a [default] in the user's ~/.aws/config (a role, SSO) cannot take it over,
# and an exported AWS_PROFILE or AWS_ACCESS_KEY_ID is ignored.
PROFILE = "warroom-demo"


def new_workdir() -> Path:
    """A fresh directory per run (moto starts empty each time, so an old journal would point
    at a world that is gone); kept afterwards so the post-mortems written in it survive."""
    return Path(tempfile.mkdtemp(prefix="warroom-demo-"))


def _q(value: str) -> str:
    # A JSON string is a valid TOML basic string.
    return json.dumps(value)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to a file that already existed


def write_credentials(workdir: Path) -> Path:
    path = workdir / CREDENTIALS_NAME
    keys = f"aws_access_key_id = {r.ACCESS_KEY_ID}\naws_secret_access_key = {r.SECRET_ACCESS_KEY}\n"
    _write_private(
        path,
        "# Throwaway keys for the warroom demo's local moto server; never real AWS.\n"
        f"[default]\n{keys}\n[{PROFILE}]\n{keys}",
    )
    return path


def _mitigations(pool_id: str, client_id: str) -> str:
    providers = ", ".join(_q(p) for p in r.AI_PROVIDERS)
    cognito = (
        f"cognito_user_pool_id = {_q(pool_id)}\ncognito_app_clients = [{_q(client_id)}]\n"
        if pool_id
        else ""
    )
    return f"""
[mitigations]
ai_provider_parameter = {_q(r.AI_PROVIDER_PARAMETER)}
ai_providers = [{providers}]
redis_replication_groups = [{_q(r.REDIS_GROUP)}]
secrets = [{_q(r.DB_SECRET)}]
{cognito}"""


def config_text(endpoint_url: str, health_url: str, pool_id: str = "", client_id: str = "") -> str:
    groups = "".join(f"\n[[logs.groups]]\nname = {_q(g)}\n" for g in r.LOG_GROUPS)
    services = ", ".join(_q(s) for s in r.SERVICES)
    return f"""\
# warroom demo: a simulated production (moto at {endpoint_url}).
# It lives only while `warroom demo` runs. Check it with: warroom check --config THIS_FILE

[journal]
db = "warroom.db"
postmortem_dir = "postmortems"

[aws]
region = {_q(r.REGION)}
profile = {_q(PROFILE)}
endpoint_url = {_q(endpoint_url)}
# The keys are in this file, beside this one, never here.
credentials_file = {_q(CREDENTIALS_NAME)}

[ecs]
cluster = {_q(r.CLUSTER)}
services = [{services}]
poll_interval = "2s"

[logs]
since = "10m"
filter_pattern = "ERROR"
{groups}
[[health.endpoints]]
name = "api"
url = {_q(health_url)}
interval = "2s"
timeout = "3s"

[sla]
p95_latency = "500ms"
uptime_percent = 99.5
window = "10m"

[alarms]
prefix = "saas-prod-"
poll_interval = "2s"
metric_requests_per_minute = 6

[alarms.severity]
"saas-prod-api-" = "SEV-1"
"saas-prod-" = "SEV-2"

[notify]
channel = "none"
""" + _mitigations(pool_id, client_id)


def write_config(
    workdir: Path, endpoint_url: str, health_url: str, pool_id: str = "", client_id: str = ""
) -> Path:
    """Write warroom.toml and its credentials file into `workdir`; returns the config's path.
    The Cognito ids are made at seed time, so the caller passes them when it has them."""
    workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_credentials(workdir)
    path = workdir / CONFIG_NAME
    path.write_text(config_text(endpoint_url, health_url, pool_id, client_id), encoding="utf-8")
    return path
