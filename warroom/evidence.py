"""Evidence: a compact record of what the panels showed when an entry was logged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the export reads evidence without loading the feeds (boto3, httpx)
    from warroom.sources.ecs import EcsSnapshot
    from warroom.sources.health import HealthSnapshot
    from warroom.sources.logs import LogLine


def capture(
    health: HealthSnapshot | None,
    ecs: EcsSnapshot | None,
    last_errors: dict[str, LogLine | None],
) -> dict[str, Any]:
    evidence: dict[str, Any] = {}
    if health is not None and health.endpoints:
        evidence["health"] = {
            e.name: {
                "state": e.state.value,
                "status": e.last.status_code if e.last else None,
                "p95_ms": round(e.p95 * 1000) if e.p95 is not None else None,
                "uptime": round(e.uptime, 2) if e.uptime is not None else None,
            }
            for e in health.endpoints
        }
    if ecs is not None and ecs.services:
        evidence["ecs"] = {
            s.name: {
                "running": s.running,
                "desired": s.desired,
                "task_definition": s.task_definition,
            }
            for s in ecs.services
            if s.found
        }
    errors = {group: line.message[:300] for group, line in last_errors.items() if line}
    if errors:
        evidence["last_error"] = errors
    return evidence


def summary(evidence: dict[str, Any]) -> str:
    """One line for the post-mortem, under the entry it belongs to."""
    parts = []
    for name, h in evidence.get("health", {}).items():
        p95 = f" p95 {h['p95_ms']}ms" if h.get("p95_ms") is not None else ""
        status = f" HTTP {h['status']}" if h.get("status") else ""
        parts.append(f"{name} {h['state']}{status}{p95}")
    for name, s in evidence.get("ecs", {}).items():
        parts.append(f"{name} {s['running']}/{s['desired']} {s['task_definition']}")
    for group, line in evidence.get("last_error", {}).items():
        parts.append(f"{group}: {line[:120]}")
    return "; ".join(parts)
