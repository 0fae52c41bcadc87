"""The war room's side of the flight recorder: what is to be kept, writing it, and reading one
incident's telemetry back (for the post-mortem, `show` and `show --json`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
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

    async def incident(self, incident_id: int) -> Incident: ...

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

    def chart_of(self, incident: Incident, telemetry: Telemetry) -> str | None:
        """The SVG chart of the incident's telemetry, None when nothing was recorded."""
        from warroom.chart import chart_data
        from warroom.chart_svg import MOST_POINTS, render_svg

        data = chart_data(incident, telemetry, most=MOST_POINTS)
        if data is None:
            return None
        return render_svg(data, f"{incident.ref}: {incident.title}")

    async def chart_lines(self, incident: Incident, width: int = 60) -> list[str]:
        """The text chart of the incident's telemetry (`show`, the editor's preview)."""
        from warroom.chart import chart_data
        from warroom.chart_text import render_text

        data = chart_data(incident, await self.telemetry(incident), most=width * 2)
        return render_text(data, width) if data is not None else []

    async def postmortem_preview(self, incident_id: int) -> tuple[str, str]:
        """The post-mortem as an export to `directory` would write it, and as a terminal shows
        it: the same, with the text chart where the file embeds the SVG."""
        from warroom.export import Chart, postmortem_filename, render_postmortem

        incident = await self.incident(incident_id)
        telemetry = await self.telemetry(incident)
        name = Path(postmortem_filename(incident)).with_suffix(".svg").name
        lines = await self.chart_lines(incident)
        file_chart = Chart(file=name) if telemetry.points() else None
        shown = Chart(text=tuple(lines)) if lines else None

        def both() -> tuple[str, str]:
            return (
                render_postmortem(incident, None, telemetry, file_chart),
                render_postmortem(incident, None, telemetry, shown),
            )

        return await asyncio.to_thread(both)
