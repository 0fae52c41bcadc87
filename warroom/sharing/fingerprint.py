"""Which consoles share feeds: those whose sources are the same, named by a fingerprint of that
part of the config. A console pointed at another region, cluster, log group, filter or health
endpoint has another fingerprint and polls alone."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict

from warroom.config import Config

# What boto3 falls back on when the config leaves region, profile or endpoint empty: two
# consoles with the same file but other environments may be reading other accounts.
_AWS_ENVIRONMENT = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL")


def sources_fingerprint(config: Config, environ: dict[str, str] | None = None) -> str:
    """A short hash of everything that decides what the feeds poll and how: AWS region,
    profile, endpoint and credentials file, the ECS cluster and services, the log groups,
    filters, window and request budget, the health endpoints and the SLA they are judged by."""
    env = os.environ if environ is None else environ
    aws = config.aws
    sources = {
        "aws": {
            **asdict(aws),
            "credentials_file": (
                str(config.resolve_path(aws.credentials_file)) if aws.credentials_file else ""
            ),
            "environment": {name: env.get(name, "") for name in _AWS_ENVIRONMENT},
        },
        "ecs": asdict(config.ecs) if config.ecs is not None else None,
        "logs": asdict(config.logs),
        "health": asdict(config.health),
        "sla": asdict(config.sla),
        "alarms": {**asdict(config.alarms), "severity": None},  # severity: not what is polled
    }
    text = json.dumps(sources, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
