"""Which deployment a signature is new since: the latest ECS deployment that started before
the signature was first seen, within the time the lines cover. A deployment of the service the
log group is named after (`/prod/backend`, `saas-backend`: a word in common) is preferred to
another service's. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pane and the CLI read snapshots without loading boto3 here
    from warroom.sources.ecs import EcsSnapshot


@dataclass(frozen=True)
class Deploy:
    started_at: datetime
    revision: str  # family:revision, as `saas-backend:9`
    service: str = ""


def deploys_of(snapshot: EcsSnapshot | None) -> list[Deploy]:
    """Every deployment the services list (ECS keeps the PRIMARY and the ones rolling out)."""
    if snapshot is None:
        return []
    return [
        Deploy(d.created_at, d.task_definition, s.name)
        for s in snapshot.services
        for d in s.deployments
        if d.created_at is not None and d.task_definition
    ]


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", name.lower()) if len(w) >= 3}


def new_since(
    first_seen: datetime | None,
    deploys: list[Deploy],
    covered_from: datetime,
    groups: Iterable[str] = (),
) -> str | None:
    """The revision a signature is new since, or None. Only a deployment after `covered_from`
    (the start of the lines read) counts: before it, the signature may well have been there
    already, unseen."""
    if first_seen is None:
        return None
    words = set().union(*(_words(g) for g in groups))
    related = [d for d in deploys if _words(d.service) & words]
    before = [d for d in related or deploys if covered_from < d.started_at <= first_seen]
    if not before:
        return None
    return max(before, key=lambda d: d.started_at).revision
