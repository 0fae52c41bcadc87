"""NEW since which deployment: after the deploy and not before, the log group's own service
first, and a task-definition change ECS lists no dated deployment for (moto lists none)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warroom.deploys import Deploy, NewMarks, changed_since, new_since
from warroom.signatures import SignatureTable
from warroom.sources.ecs import EcsSnapshot, ServiceStatus
from warroom.sources.status import SourceStatus

T0 = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)


def snapshot(at: datetime, backend: str) -> EcsSnapshot:
    services = (
        ServiceStatus("saas-backend", True, "ACTIVE", 3, 3, 0, backend),
        ServiceStatus("saas-worker", True, "ACTIVE", 2, 2, 0, "saas-worker:1"),
    )
    return EcsSnapshot(at, "saas-prod", services, SourceStatus("ECS").succeeded(at, 0.1))


def test_a_change_without_a_dated_deployment_counts_from_the_poll_before() -> None:
    before = snapshot(T0, "saas-backend:8")
    after = snapshot(T0 + timedelta(seconds=10), "saas-backend:9")
    assert [d for d in changed_since(None, before) if d.revision] == []
    dated = [d for d in changed_since(before, after) if d.revision]
    assert dated == [Deploy(T0, "saas-backend:9", "saas-backend")]


def test_new_after_the_deploy_and_not_before_preferring_the_groups_own_service() -> None:
    deploys = [
        Deploy(T0 + timedelta(minutes=1), "saas-backend:9", "saas-backend"),
        Deploy(T0 + timedelta(minutes=2), "saas-worker:4", "saas-worker"),
    ]
    start = T0 - timedelta(minutes=10)
    after = T0 + timedelta(minutes=3)
    assert new_since(after, deploys, start, ["/prod/backend"]) == "saas-backend:9"
    assert new_since(after, deploys, start, ["/prod/worker"]) == "saas-worker:4"
    assert new_since(T0, deploys, start, ["/prod/backend"]) is None  # seen before it
    # A deploy before the lines begin: whether the error was there before it, nobody saw.
    assert (
        new_since(after, deploys, T0 + timedelta(minutes=1, seconds=30), ["/prod/backend"]) is None
    )

    table = SignatureTable()
    table.add("ERROR old one", T0)
    table.add("ERROR new one", after)
    marks = NewMarks("/prod/backend", start)
    assert marks.update(table) == []  # no deployment known yet
    marks.set_deploys([], known_until=start)  # the console's first reading: nothing recent
    marks.set_deploys(deploys, known_until=after - timedelta(seconds=1))
    assert marks.update(table) == []  # seen after ECS was last read: a deploy may be unknown
    marks.set_deploys(deploys, known_until=after)
    assert [(s.key, rev) for s, rev in marks.update(table)] == [("ERROR new one", "saas-backend:9")]
    assert marks.update(table) == []  # marked once


def test_stale_deployments_of_a_changed_service_name_no_revision() -> None:
    from warroom.deploys import deploys_of
    from warroom.sources.ecs import Deployment

    stale = Deployment("d1", "PRIMARY", "COMPLETED", "saas-backend:8", 3, 3, 0, 0, T0)
    service = ServiceStatus("saas-backend", True, "ACTIVE", 3, 3, 0, "saas-backend:9", (stale,))
    at = T0 + timedelta(minutes=5)
    ecs = EcsSnapshot(at, "saas-prod", (service,), SourceStatus("ECS").succeeded(at, 0.1))
    deploys = deploys_of(ecs)  # moto after update_service: when :9 came is not known
    assert [d.revision for d in deploys] == [""]
    worker = Deploy(T0 + timedelta(minutes=1), "saas-worker:4", "saas-worker")
    first_seen = T0 + timedelta(minutes=2)
    # Not the revision before, nor another service's: nothing.
    assert (
        new_since(first_seen, [*deploys, worker], T0 - timedelta(hours=1), ["/prod/backend"])
        is None
    )


def moto_reading(at: datetime, backend: str, seeded: datetime) -> EcsSnapshot:
    """As moto answers: the deployment the service was created with, whatever it runs now."""
    from warroom.sources.ecs import Deployment

    first = Deployment("d1", "PRIMARY", "COMPLETED", "saas-backend:8", 3, 3, 0, 0, seeded)
    service = ServiceStatus("saas-backend", True, "ACTIVE", 3, 3, 0, backend, (first,))
    return EcsSnapshot(at, "saas-prod", (service,), SourceStatus("ECS").succeeded(at, 0.1))


def test_a_change_moto_lists_no_deployment_for_is_dated_from_the_readings() -> None:
    # The demo's world: service :8 created seconds before the console; then :8 -> :9, which
    # moto lists no deployment of. A line stamped while :8 ran is new since :8 (deployed within
    # the window); one after the reading that still showed :8 is new since :9.
    seeded = T0 - timedelta(seconds=2)
    marks = NewMarks("/prod/backend", T0 - timedelta(minutes=10))
    readings = [moto_reading(T0 + timedelta(seconds=s), "saas-backend:8", seeded) for s in (0, 2)]
    readings.append(moto_reading(T0 + timedelta(seconds=4), "saas-backend:9", seeded))
    table = SignatureTable()
    table.add("ERROR GET orders: column missing", T0 + timedelta(seconds=1.9))
    table.add("ERROR POST orders: column missing", T0 + timedelta(seconds=2.5))
    marked = []
    previous = None
    for reading in readings:
        marks.set_deploys(changed_since(previous, reading), reading.at)
        marked += [(s.key, rev) for s, rev in marks.update(table)]
        previous = reading
    assert sorted(marked) == [
        ("ERROR GET orders: column missing", "saas-backend:8"),
        ("ERROR POST orders: column missing", "saas-backend:9"),
    ]
    # Rolled back to :8 later: that is a change the console saw, errors after it are new.
    back = moto_reading(T0 + timedelta(seconds=8), "saas-backend:8", seeded)
    table.add("ERROR after the rollback", T0 + timedelta(seconds=7))
    marks.set_deploys(changed_since(previous, back), back.at)
    assert [(s.key, rev) for s, rev in marks.update(table)] == [
        ("ERROR after the rollback", "saas-backend:8")
    ]
