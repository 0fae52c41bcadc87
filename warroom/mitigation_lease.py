"""No double mitigation: the lease a running mitigation holds on its target, and the words that
refuse a second attempt or name the last mitigation on a target. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from warroom.timeutil import short_duration

# Longer than a re-read and a run together (each bounded by the service's action timeout), so
# a live holder never loses it, yet a killed process does not hold its target for long.
LEASE_TTL = timedelta(seconds=150)

# How the preview tells what the last mitigation on a target did.
VERBS = {
    "rollback": "rolled back",
    "scale": "scaled",
    "failover": "failed over",
    "switch-provider": "switched",
    "rotate-secret": "rotated",
}


@dataclass(frozen=True)
class MitigationLease:
    key: str  # lease_key(): the target, with its kind
    action: str
    holder: str  # who runs it
    token: str  # which run holds it (one person may run two consoles)
    since: datetime
    expires: datetime


def lease_key(target_kind: str, target: str) -> str:
    """Two actions on one resource (rollback and scale on one ECS service) share a lease."""
    return f"{target_kind}:{target}"


def lease_refusal(lease: MitigationLease, target: str, now: datetime) -> str:
    return (
        f"{lease.holder} is running {lease.action} on {target} since "
        f"{lease.since:%H:%M:%S} UTC ({short_duration(now - lease.since)} ago)"
    )


def last_done(author: str, at: datetime, data: dict[str, Any], now: datetime) -> str:
    """'bob rolled back saas-backend 40s ago: saas-backend:9 -> saas-backend:8'."""
    action, target = data.get("action", ""), data.get("target", "")
    verb = VERBS.get(action)
    said = f"{author} {verb} {target}" if verb else f"{author} ran {action} on {target}"
    said += f" {short_duration(now - at)} ago"
    moves = [str(c).rpartition(": ")[2] for c in data.get("changes", ())]
    return f"{said}: {', '.join(moves)}" if moves else said


def drift(
    target: str,
    previewed: list[tuple[str, str]],
    live: list[tuple[str, str]],
    live_refusal: str,
) -> str:
    """Why the previewed plan no longer holds ("" when it does), from each change's (old, new)
    as previewed and as read again right before acting."""
    if previewed == live and not live_refusal:
        return ""
    for (then, _), (now, _) in zip(previewed, live, strict=False):
        if then != now:
            return f"{target} is at {now} now, not {then} as previewed: preview again"
    why = f" ({live_refusal})" if live_refusal else ""
    return f"{target} changed since the preview{why}: preview again"
