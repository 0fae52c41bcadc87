"""Which deployment a signature is new since: the latest ECS deployment that started before
the signature was first seen, within the time the lines cover. A deployment of the service the
log group is named after (`/prod/backend`, `saas-backend`: a word in common) is preferred to
another service's. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pane and the CLI read snapshots without loading boto3 here
    from warroom.signatures import Signature
    from warroom.sources.ecs import EcsSnapshot


UNDATED = datetime.min.replace(tzinfo=UTC)  # before any window: never counts


@dataclass(frozen=True)
class Deploy:
    started_at: datetime
    revision: str  # family:revision, as `saas-backend:9`
    service: str = ""


def deploys_of(snapshot: EcsSnapshot | None) -> list[Deploy]:
    """Every deployment the services list (ECS keeps the PRIMARY and the ones rolling out).
    A service none of whose deployments runs its current task definition lists stale ones
    (moto does, after update_service): when it changed is not known, so none of them counts,
    rather than naming the revision before."""
    if snapshot is None:
        return []
    found = []
    for s in snapshot.services:
        if not any(d.task_definition == s.task_definition for d in s.deployments):
            # Known, undated: the log group named after it finds its service, and no revision.
            found.append(Deploy(UNDATED, "", s.name))
            continue
        found += [
            Deploy(d.created_at, d.task_definition, s.name)
            for d in s.deployments
            if d.created_at is not None and d.task_definition
        ]
    return found


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


def changed_since(previous: EcsSnapshot | None, current: EcsSnapshot) -> list[Deploy]:
    """Deployments the services list now, and any task-definition change ECS lists no
    deployment since the previous poll for (moto lists none): it started after that poll, the
    earliest it can have started."""
    found = deploys_of(current)
    if previous is None or not previous.source.ok:
        return found
    before = {s.name: s.task_definition for s in previous.services}
    # Only a deployment since the previous reading dates the change: moto, rolled back to the
    # revision it was created with, lists that first deployment again.
    dated = {(d.service, d.revision) for d in found if d.started_at > previous.at}
    for service in current.services:
        old = before.get(service.name)
        now = service.task_definition
        if old and now and old != now and (service.name, now) not in dated:
            found.append(Deploy(previous.at, now, service.name))
    return found


def _key(d: Deploy) -> tuple[str, str, datetime]:
    return (d.service, d.revision, d.started_at)


class NewMarks:
    """The signatures of one log group that are new since a deployment, marked once and for
    good; `update` says which were marked just now (to be written to the timeline). Only a
    signature first seen before the latest ECS reading is judged: a deployment that started
    before it is known by then (ECS is read every few seconds, lines come sooner)."""

    KEPT = 5_000  # marks of signatures long dropped from the table go first

    def __init__(self, group: str, covered_from: datetime) -> None:
        self.group = group
        self.covered_from = covered_from
        self.deploys: list[Deploy] = []
        self.marked: dict[str, str] = {}  # signature key -> revision
        self.known_until: datetime | None = None  # the latest ECS reading

    def set_deploys(self, deploys: Iterable[Deploy], known_until: datetime) -> None:
        self.known_until = known_until
        known = {_key(d) for d in self.deploys}
        for d in deploys:
            if _key(d) not in known:
                known.add(_key(d))
                self.deploys.append(d)
        del self.deploys[:-50]

    def of(self, key: str) -> str | None:
        return self.marked.get(key)

    def update(self, signatures: Iterable[Signature]) -> list[tuple[Signature, str]]:
        known = self.known_until
        if not self.deploys or known is None:
            return []
        fresh = []
        for sig in signatures:
            if sig.key in self.marked or sig.first_seen is None or sig.first_seen > known:
                continue
            revision = new_since(sig.first_seen, self.deploys, self.covered_from, (self.group,))
            if revision is not None:
                self.marked[sig.key] = revision
                fresh.append((sig, revision))
        while len(self.marked) > self.KEPT:
            del self.marked[next(iter(self.marked))]
        return fresh
