"""What the live feeds bring to the console: each panel shown anew, and what changed (an
endpoint down, a deployment, an alarm) logged as an automatic entry on the open incident, or
kept to be taken in by one declared soon after. A mixin of the console app."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from warroom.model import Status
from warroom.observations import Seen
from warroom.sources.health import observe_health
from warroom.ui.alarms import AlarmsPanel
from warroom.ui.feeds import AlarmsArrived, EcsArrived, HealthArrived, LogsArrived
from warroom.ui.flows.offers import MITIGATED
from warroom.ui.logpane import LogPane
from warroom.ui.panels import EcsPanel, HealthPanel

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object


class FeedFlow(_Base):
    """A feed's message can be handled while the console is closing, its panels already gone
    (a test's run_test shuts the app down with the message loop still running): it is dropped."""

    async def on_health_arrived(self, message: HealthArrived) -> None:
        if not self.is_running:
            return
        snapshot = message.snapshot
        previous, self.health = self.health, snapshot
        self.query_one(HealthPanel).show(snapshot)
        for kind, subject, text in observe_health(previous, snapshot):
            await self._observe(f"{kind}:{subject}", text, snapshot.at)
            if kind in ("health_recovered", "sla_breach_end"):
                self.offer_mitigated(snapshot.at)
            elif kind == "health_down":
                self.withdraw_offer(MITIGATED)  # down again: "recovered at" no longer holds

    async def on_ecs_arrived(self, message: EcsArrived) -> None:
        if not self.is_running:
            return
        snapshot = message.snapshot
        previous, self.ecs = self.ecs, snapshot
        self.query_one(EcsPanel).show(snapshot)
        self.share_deploys(previous, snapshot)
        for observation in snapshot.observations:
            key = f"{observation.kind}:{observation.subject}"
            await self._observe(key, observation.text, observation.at)

    async def on_alarms_arrived(self, message: AlarmsArrived) -> None:
        if not self.is_running:
            return
        snapshot = message.snapshot
        self.alarms = snapshot
        self.query_one(AlarmsPanel).show(snapshot, self.clock())
        for observation in snapshot.observations:
            key = f"{observation.kind}:{observation.subject}"
            await self._observe(key, observation.text, observation.at, own_time=True)

    def on_logs_arrived(self, message: LogsArrived) -> None:
        if not self.is_running:
            return
        if self._log_panes is None:  # a batch comes every poll of every group: no DOM query each
            self._log_panes = {}
            for pane in self.query(LogPane):
                self._log_panes.setdefault(pane.group, []).append(pane)
        for pane in self._log_panes.get(message.batch.group, ()):
            pane.add_batch(message.batch)

    async def _observe(self, key: str, text: str, at: datetime, *, own_time: bool = False) -> None:
        """`own_time`: the entry is stamped `at` (an alarm's state change), not when seen."""
        if self.room is None:
            return
        if self.incident is None or self.incident.status is Status.RESOLVED:
            self.recent.add(Seen(at, key, text))  # for an incident declared here soon after
            return
        when = at if own_time else None
        event = await self._guard(self.room.observe(self.incident.id, key, text, at=when))
        if event is not None:
            self.notify(text, title="observed", timeout=4)
