"""The war room's side of the flight recorder: what is to be kept, writing it, and reading one
incident's telemetry back (for the post-mortem, `show` and `show --json`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from warroom.model import Incident, Status
from warroom.telemetry import Bucket, Telemetry

if TYPE_CHECKING:
    from warroom.config import Config
    from warroom.journal import Journal


class Recording:
    journal: Journal
    config: Config

    def now(self) -> datetime: ...

    async def recording_since(self) -> datetime | None:
        """The earliest open incident's detection less the lead-in; None when none is open."""
        open_ones = await self.journal.list_incidents(Status.OPEN)
        starts = [i.detected_at or i.created_at for i in open_ones]
        if not starts:
            return None
        return min(starts) - self.config.recorder.lead_in

    async def record_telemetry(self, buckets: Sequence[Bucket]) -> None:
        await self.journal.record_telemetry(buckets, recorded_at=self.now())

    async def telemetry(self, incident: Incident) -> Telemetry:
        """What was recorded from the lead-in before detection until resolution (now, while
        it is open)."""
        milestones = incident.milestones
        detected = milestones.detected or incident.created_at
        since = detected - self.config.recorder.lead_in
        until = milestones.resolved or self.now()
        # The bucket holding the resolution is kept too: it shows the state it was resolved in.
        buckets = await self.journal.telemetry(since, until + timedelta(microseconds=1))
        return Telemetry(tuple(buckets), since, until)
