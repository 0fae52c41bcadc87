"""The war room's Phase 4 steps that act: each ticks its runbook step (who and when on the
timeline) once its work is done. A mixin of `WarRoom`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from warroom.errors import UserError
from warroom.model import Event
from warroom.phase4.backlog_step import backlog_complete

if TYPE_CHECKING:
    from warroom.backlog import GithubRun
    from warroom.service.room import WarRoom

    _Base = WarRoom
else:
    _Base = object


class Phase4Steps(_Base):
    async def _tick_once(self, acts: str, incident_id: int) -> Event | None:
        """Tick the runbook's `acts` step unless it is ticked (or the runbook has none)."""
        step = self.runbook.acting(acts)
        if step is None:
            return None
        incident = await self.incident(incident_id)
        mark = incident.checklist.get(step.id)
        if mark is not None and mark.done:
            return None
        return await self.check(step.id, incident_id=incident_id)

    async def tick_backlog(self, incident_ids: Iterable[int]) -> list[Event]:
        """Step 12 ticked for each incident whose open action items all have an issue now."""
        ticks = []
        for incident_id in dict.fromkeys(incident_ids):
            if backlog_complete(await self.incident(incident_id)):
                event = await self._tick_once("backlog", incident_id)
                if event is not None:
                    ticks.append(event)
        return ticks

    async def export_backlog(self, incident_id: int) -> tuple[GithubRun, list[Event]]:
        """The incident's open action items as issues in `[github] repo` (the post-mortem
        editor's key), then step 12 ticked if every open item now has one."""
        from warroom.backlog import collect

        repo = self.config.github.repo
        if not repo:
            raise UserError(
                'no repository for the backlog: set [github] repo = "OWNER/REPO" in the config'
            )
        incident = await self.incident(incident_id)
        rows = collect([incident], today=self.now().date(), open_only=True)
        run = await self.create_github_issues(repo, rows)
        return run, await self.tick_backlog([incident_id])
