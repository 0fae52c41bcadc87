"""The war room's Phase 4 steps that act: each ticks its runbook step (who and when on the
timeline) once its work is done. A mixin of `WarRoom`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.errors import UserError
from warroom.model import Event
from warroom.phase4.backlog_step import backlog_complete
from warroom.phase4.runbook_gap import gap_note, incident_terms, missing_terms

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

    def runbook_reference(self) -> Path | None:
        """The team's reference runbook (`[runbook] reference`), if the config names one."""
        name = self.config.runbook.reference
        return self.config.resolve_path(name) if name.strip() else None

    async def runbook_gap(self, incident_id: int) -> str:
        """Step 13's note: "#bad-deploy is not in runbook-prod.md", or "" when the reference
        mentions the incident's root-cause tags and the mitigations that worked (or there is
        no reference, or nothing to look for)."""
        reference = self.runbook_reference()
        if reference is None:
            return ""
        terms = incident_terms(await self.incident(incident_id))
        if not terms:
            return ""
        try:
            text = await asyncio.to_thread(reference.read_text, "utf-8", "replace")
        except OSError as exc:
            return f"cannot read {reference.name}: {exc.strerror or exc}"
        return gap_note(missing_terms(terms, text), reference.name)

    async def draft_runbook_scenario(self, incident_id: int) -> Path:
        """A drafted runbook section for this incident's scenario, written to a new file beside
        the reference runbook for the team to review and merge by hand; never the reference."""
        from warroom.phase4.scenario import draft_path, draft_scenario

        reference = self.runbook_reference()
        if reference is None:
            raise UserError(
                'no reference runbook to draft beside: set [runbook] reference = "runbook-prod.md"'
            )
        incident = await self.incident(incident_id)
        text = draft_scenario(incident, reference.name)

        def write() -> Path:
            path = draft_path(reference, incident)
            with path.open("x", encoding="utf-8") as out:  # "x": a draft there is not replaced
                out.write(text)
            return path

        try:
            return await asyncio.to_thread(write)
        except OSError as exc:
            raise UserError(f"cannot write the draft beside {reference}: {exc}") from None
