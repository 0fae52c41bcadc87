"""Evidence: a compact record of what the panels showed when an entry was logged: health,
ECS, and each log group's top error signatures with their counts (what tells each error apart,
exception first, cut at a word, not mid-word)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the export reads evidence without loading the feeds (boto3, httpx)
    from warroom.signatures import Signature
    from warroom.sources.ecs import EcsSnapshot
    from warroom.sources.health import HealthSnapshot
    from warroom.sources.logs import LogLine

TOP_SIGNATURES = 3  # per group: what a reader of the timeline can take in
SIGNATURE_CHARS = 160
LINE_CHARS = 300


def shorten(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut after a whole word (with an ellipsis)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:·(") + "…"


def signature_evidence(sig: Signature) -> dict[str, Any]:
    return {
        "count": sig.count,
        "text": shorten(sig.distinctive, SIGNATURE_CHARS),
        "first_seen": sig.first_seen.isoformat() if sig.first_seen else None,
        "last_seen": sig.last_seen.isoformat() if sig.last_seen else None,
    }


def capture(
    health: HealthSnapshot | None,
    ecs: EcsSnapshot | None,
    last_errors: dict[str, LogLine | None],
    signatures: dict[str, list[Signature]] | None = None,
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
    errors = {
        group: shorten(line.message, LINE_CHARS) for group, line in last_errors.items() if line
    }
    if errors:
        evidence["last_error"] = errors
    tops = {
        group: [signature_evidence(s) for s in sigs[:TOP_SIGNATURES]]
        for group, sigs in (signatures or {}).items()
        if sigs
    }
    if tops:
        evidence["signatures"] = tops
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
    tops = evidence.get("signatures", {})
    for group, rows in tops.items():
        shown = ", ".join(f"{r['count']}× {r['text']}" for r in rows)
        parts.append(f"{group}: {shown}")
    for group, line in evidence.get("last_error", {}).items():
        if group not in tops:  # entries from before signatures, and groups without them
            parts.append(f"{group}: {shorten(line, 120)}")
    return "; ".join(parts)
