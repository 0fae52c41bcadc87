"""The war room: the one write path that the CLI and the console both call.

It checks what a person asked for, stamps it with who and when (UTC), and hands it to the
journal, which commits before returning. Nothing here knows about terminals.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warroom.config import Config, ConfigError, whoami
from warroom.corrections import refuse_amend, refuse_entry
from warroom.errors import UserError
from warroom.followups import ActionItem
from warroom.journal import Journal, open_journal
from warroom.model import (
    KIND_LABELS,
    LOGGABLE_KINDS,
    POSTMORTEM_FIELDS,
    Event,
    Incident,
    IncidentSummary,
    Kind,
    Scope,
    Status,
    format_id,
)
from warroom.presence import Presence
from warroom.qa import load_qa_checklist
from warroom.runbook import Runbook, load_runbook, with_qa_items
from warroom.service.actions import Mitigations
from warroom.service.cleaning import clean_text
from warroom.service.comms import TeamChannel
from warroom.service.corrections import Corrections
from warroom.service.people import People
from warroom.service.phase4 import Phase4Steps
from warroom.service.postmortem import PostmortemFields
from warroom.service.recording import Recording
from warroom.severity import Severity
from warroom.timeutil import utcnow
from warroom.typedtoml import SchemaError

# Imported where used: boto3, httpx and jinja2 would otherwise delay the console's first frame.
if TYPE_CHECKING:
    from warroom.backlog import BacklogItem, GithubRun, IssueResult
    from warroom.feedboard import FeedBoard
    from warroom.report import Report
    from warroom.sources.aws import AwsClients

# Clocks on two bastions drift; an entry a little ahead of ours is not an error.
FUTURE_TOLERANCE = timedelta(minutes=1)
# Two consoles see the same change a poll apart; one entry is enough.
OBSERVATION_WINDOW = timedelta(minutes=2)


class WarRoom(
    Mitigations, TeamChannel, Corrections, PostmortemFields, People, Phase4Steps, Recording
):
    def __init__(
        self,
        journal: Journal,
        *,
        author: str,
        runbook: Runbook,
        clock: Callable[[], datetime] = utcnow,
        config: Config | None = None,
    ) -> None:
        self.journal = journal
        self.author = author
        self.runbook = runbook
        self._clock = clock
        self.config = config or Config()
        self._clients: AwsClients | None = None

    def now(self) -> datetime:
        return self._clock()

    def _when(self, at: datetime | None) -> datetime:
        now = self.now()
        if at is None:
            return now
        if at - now > FUTURE_TOLERANCE:
            raise UserError(f"time {at.isoformat()} is in the future (now {now.isoformat()})")
        return at

    # Incidents ----------------------------------------------------------------------------

    async def declare(
        self,
        title: str,
        severity: Severity,
        *,
        scope: Scope | None = None,
        detected_at: datetime | None = None,
        note: str = "",
        evidence: dict[str, Any] | None = None,
    ) -> int:
        """Open an incident; its first entry is `detected` (when the alert fired, if given),
        with the `evidence` the console's panels showed."""
        title = clean_text(title, "title")
        if "\n" in title:
            raise UserError("a title is one line")
        scope = scope or Scope()
        text = clean_text(note, "note", required=False) or f"Incident declared, {severity.value}"
        return await self.journal.create_incident(
            title=title,
            severity=severity,
            scope=Scope(
                tuple(clean_text(t, "tenant") for t in scope.tenants),
                tuple(clean_text(e, "endpoint") for e in scope.endpoints),
            ),
            author=self.author,
            detected_at=self._when(detected_at),
            detected_text=text,
            recorded_at=self.now(),
            data=_with_evidence(None, evidence),
        )

    async def incident(self, incident_id: int) -> Incident:
        return await self.journal.get_incident(incident_id)

    async def incidents(self, status: Status | None = None) -> list[IncidentSummary]:
        return await self.journal.list_incidents(status)

    async def target(self, incident_id: int | None) -> int:
        """The incident meant: the one given, else the only open one."""
        if incident_id is not None:
            return incident_id
        open_ones = await self.journal.list_incidents(Status.OPEN)
        if not open_ones:
            raise UserError("no open incident; declare one first, or name one with --incident")
        if len(open_ones) > 1:
            refs = ", ".join(f"{i.ref} ({i.title})" for i in open_ones)
            raise UserError(f"{len(open_ones)} incidents are open: {refs}; choose with --incident")
        return open_ones[0].id

    # Timeline -----------------------------------------------------------------------------

    async def log(
        self,
        kind: Kind,
        text: str,
        *,
        incident_id: int | None = None,
        at: datetime | None = None,
        auto: bool = False,
        data: dict[str, Any] | None = None,
    ) -> Event:
        """Append an entry; `at` records something that happened earlier than it is typed.
        Refused (warroom.corrections.refuse_entry): a milestone on a resolved incident, a second
        acknowledgement, the same milestone again within seconds (another console's), a time
        before detection (an earlier `detected` entry moves detection earlier instead)."""
        if not auto and kind not in LOGGABLE_KINDS:
            raise UserError(f"{kind.value} entries are made by their own commands")
        text = clean_text(text)
        target = await self.target(incident_id)
        when = self._when(at)
        ref = format_id(target)
        return await self.journal.append_event(
            target,
            kind=kind,
            text=text,
            author=self.author,
            at=when,
            recorded_at=self.now(),
            auto=auto,
            data=data,
            check=lambda events: refuse_entry(
                events,
                ref=ref,
                kind=kind,
                at=when,
                author=self.author,
                text=text,
                backdated=at is not None,
            ),
        )

    async def observe(
        self,
        incident_id: int,
        key: str,
        text: str,
        *,
        data: dict[str, Any] | None = None,
        at: datetime | None = None,
    ) -> Event | None:
        """An automatic entry from a feed, written once even when several consoles see it.
        `at`: when a feed saw it, before the incident was declared. Unlike a person's entry it
        may come before detection: detection stays when the team knew (the durations count from
        there), and the timeline shows what the feeds saw leading up to it."""
        return await self.journal.append_observation(
            incident_id,
            key=key,
            text=clean_text(text),
            author=self.author,
            at=self._when(at),
            window=OBSERVATION_WINDOW,
            data=data,
            recorded_at=self.now(),
        )

    async def amend(
        self, event_id: int, *, text: str | None = None, at: datetime | None = None
    ) -> Event:
        """Correct an entry's text or time; the old values are kept in the journal. Not a
        retracted entry, nor a time before detection."""
        when = None if at is None else self._when(at)
        return await self.journal.amend_event(
            event_id,
            author=self.author,
            edited_at=self.now(),
            text=None if text is None else clean_text(text),
            at=when,
            check=lambda old, events: refuse_amend(old, events, when),
        )

    async def change_severity(
        self,
        severity: Severity,
        *,
        incident_id: int | None = None,
        reason: str = "",
        evidence: dict[str, Any] | None = None,
    ) -> Event | None:
        """Returns the logged entry, or None when the severity already was that."""
        return await self.journal.set_severity(
            await self.target(incident_id),
            severity,
            author=self.author,
            at=self.now(),
            reason=clean_text(reason, "reason", required=False),
            data=_with_evidence(None, evidence),
        )

    async def change_scope(self, scope: Scope, *, incident_id: int | None = None) -> Event | None:
        return await self.journal.set_scope(
            await self.target(incident_id), scope, author=self.author, at=self.now()
        )

    async def check(
        self,
        item_id: str,
        done: bool = True,
        *,
        incident_id: int | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> Event:
        """Tick (or untick) a runbook step; who and when go on the timeline. Ticking a step
        that reaches a milestone ("Acknowledge the alert") logs that milestone too, once: an
        untick is a correction of the checklist, and the milestone entry stays (append-only)."""
        try:
            phase, step = self.runbook.step(item_id)
        except KeyError:
            raise UserError(f"no checklist step {item_id!r} in the runbook") from None
        milestone = Kind(step.milestone) if done and step.milestone else None
        return await self.journal.set_checklist(
            await self.target(incident_id),
            item_id,
            done=done,
            label=f"{phase.name} {step.id}. {step.title}",
            author=self.author,
            at=self.now(),
            data=_with_evidence(None, evidence),
            milestone=milestone,
            milestone_text=(
                f"{KIND_LABELS[milestone]} (checklist {step.id}. {step.title})" if milestone else ""
            ),
        )

    # Post-mortem --------------------------------------------------------------------------

    async def add_action_item(
        self, incident_id: int, text: str, *, owner: str = "", deadline: date | None = None
    ) -> ActionItem:
        return await self.journal.add_action_item(
            incident_id,
            text=clean_text(text, "action item"),
            owner=clean_text(owner, "owner", required=False),
            deadline=deadline,
            author=self.author,
            at=self.now(),
        )

    async def update_action_item(self, item_id: int, **changes: Any) -> ActionItem:
        for name in ("text", "owner"):
            if name in changes:
                changes[name] = clean_text(changes[name], name, required=name == "text")
        return await self.journal.update_action_item(item_id, **changes)

    async def set_postmortem_field(self, incident_id: int, name: str, value: str) -> None:
        if name not in POSTMORTEM_FIELDS:
            known = ", ".join(POSTMORTEM_FIELDS)
            raise UserError(f"unknown post-mortem field {name!r}; use one of: {known}")
        await self.journal.set_postmortem_field(
            incident_id,
            name,
            clean_text(value, name, required=False),
            author=self.author,
            at=self.now(),
        )

    async def render_postmortem(
        self, incident_id: int, template: Path | None = None, *, chart: str | None = None
    ) -> str:
        """The post-mortem as Markdown; `chart`: the name of the chart file beside it (written
        by `export_postmortem`), embedded when there is telemetry to show."""
        from warroom.export import Chart, render_postmortem

        # Rendering a long timeline takes tens of milliseconds: off the console's event loop.
        incident = await self.incident(incident_id)
        telemetry = await self.telemetry(incident)
        shown = Chart(file=chart) if chart and telemetry.points() else None
        return await asyncio.to_thread(render_postmortem, incident, template, telemetry, shown)

    async def export_postmortem(
        self,
        incident_id: int,
        *,
        output: Path | None = None,
        directory: Path | None = None,
        template: Path | None = None,
    ) -> Path:
        """Write the post-mortem file (to `output`, else a stable name in `directory`), and the
        chart of its telemetry beside it (when a regular file is written and there is any)."""
        from warroom.export import Chart, postmortem_filename, render_postmortem
        from warroom.outfile import write_output

        incident = await self.incident(incident_id)
        telemetry = await self.telemetry(incident)
        path = output or (directory or Path.cwd()) / postmortem_filename(incident)
        chart_path = path.with_suffix(".svg")

        def rendered() -> tuple[str, str | None]:  # tens of milliseconds: off the event loop
            chart = self.chart_of(incident, telemetry) if _plain_file(path) else None
            shown = Chart(file=chart_path.name) if chart is not None else None
            return render_postmortem(incident, template, telemetry, shown), chart

        text, chart = await asyncio.to_thread(rendered)
        try:
            if chart is not None:
                await asyncio.to_thread(write_output, chart_path, chart)
            await asyncio.to_thread(write_output, path, text)  # fsync: off the event loop
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
        await self.journal.mark_exported(incident_id, self.now())
        return path

    async def postmortem_outdated(self, incident_id: int, directory: Path) -> str:
        """Why the resolved incident's post-mortem in `directory` no longer tells its story,
        "" when it does (or when the incident is still open, or a SEV-3 never exported: nothing
        to offer)."""
        from warroom.export import postmortem_filename
        from warroom.sanitize import valid_unicode

        incident = await self.incident(incident_id)
        if incident.status is not Status.RESOLVED:
            return ""
        if incident.postmortem_exported_at is None:
            # SEV-3 needs none (the runbook): only a post-mortem someone started is offered.
            return "not exported yet" if incident.postmortem_rule.required else ""
        if not incident.postmortem_rule.done:
            return "the last export was made before the incident was resolved"
        # The export is deterministic: a file unlike a fresh rendering means the journal
        # (fields, action items, timeline) changed since, or the file is not there.
        path = directory / postmortem_filename(incident)
        text = await self.render_postmortem(incident_id, chart=path.with_suffix(".svg").name)
        try:
            on_disk = await asyncio.to_thread(path.read_bytes)
        except OSError:
            return f"no exported file {path.name} in {directory}"
        if on_disk != valid_unicode(text).encode("utf-8"):
            return "the journal changed since the last export"
        return ""

    async def link_action_item(self, item_id: int, url: str) -> ActionItem:
        """Record the tracker issue an action item became (the GitHub export)."""
        return await self.journal.update_action_item(
            item_id, external_url=clean_text(url, "issue URL")
        )

    # Reviews ------------------------------------------------------------------------------

    async def all_incidents(self) -> list[Incident]:
        """Every incident of the journal, in full (the review and the backlog read them all)."""
        return [await self.incident(s.id) for s in await self.journal.list_incidents()]

    async def report(self, since: timedelta) -> Report:
        """The quarterly review over `since` (action items over every incident)."""
        from warroom.report import build_report

        return build_report(await self.all_incidents(), now=self.now(), since=since)

    async def backlog(self, *, open_only: bool = False) -> list[BacklogItem]:
        from warroom.backlog import collect

        return collect(await self.all_incidents(), today=self.now().date(), open_only=open_only)

    async def create_github_issues(
        self,
        repo: str,
        rows: list[BacklogItem],
        *,
        on_result: Callable[[IssueResult], None] | None = None,
    ) -> GithubRun:
        """One issue per open item without one; each URL recorded as soon as it exists."""
        from warroom.backlog import create_issues, read_token

        self.refuse_if_read_only(f"creating GitHub issues in {repo}")
        token = read_token(self.config.github, repo)
        return await create_issues(
            self.link_action_item,
            repo,
            rows,
            token=token,
            api_url=self.config.github.api_url,
            on_result=on_result,
        )

    async def feed_board(self, fingerprint: str) -> FeedBoard:
        """Where this journal's consoles share the feeds of the sources `fingerprint` names
        (warroom.sharing); JournalError when it cannot be opened."""
        return await self.journal.feed_board(fingerprint)

    async def change_token(self) -> Hashable:
        return await self.journal.change_token()

    async def close(self) -> None:
        await self.journal.close()

    async def __aenter__(self) -> WarRoom:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _with_evidence(
    data: dict[str, Any] | None, evidence: dict[str, Any] | None
) -> dict[str, Any] | None:
    """An entry's data with what the console's panels showed (None: not from the console)."""
    if evidence is None:
        return data
    return {**(data or {}), "evidence": evidence}


def runbook_for(config: Config) -> Runbook:
    """The team's runbook file when the config names one, else the built-in runbook; the QA
    checklist's items under its Verify step."""
    qa = load_qa_checklist(config)
    if not config.runbook.file:
        runbook = load_runbook()
    else:
        try:
            runbook = load_runbook(config.resolve_path(config.runbook.file))
        except SchemaError as exc:
            raise ConfigError(exc.path, exc.key, exc.problem) from None
    return with_qa_items(runbook, qa.items, problem=qa.problem)


async def open_war_room(
    config: Config, db: Path, *, clock: Callable[[], datetime] = utcnow
) -> WarRoom:
    runbook = runbook_for(config)
    journal = await open_journal(db, group=config.journal.group.strip())
    room = WarRoom(journal, author=whoami(config), runbook=runbook, clock=clock, config=config)
    room.presence = Presence(db, clock=clock)
    return room


def _plain_file(path: Path) -> bool:
    """A regular file (or none yet): a chart goes beside it. Not `/dev/stdout`, a pipe, ..."""
    return not path.exists() or path.is_file()
