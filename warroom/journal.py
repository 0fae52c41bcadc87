"""The journal's narrow interface. SQLite implements it today (warroom.store); a PostgreSQL journal
for responders on different hosts can sit beside it without touching any caller."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from warroom.errors import JournalError, NotFound
from warroom.feedboard import FeedBoard
from warroom.followups import ActionItem, OutboxMessage
from warroom.mitigation_lease import MitigationLease
from warroom.model import Event, Incident, IncidentSummary, Kind, Scope, Status
from warroom.postmortem_versions import FieldSave, FieldVersion
from warroom.severity import Severity
from warroom.telemetry import Bucket


class Journal(Protocol):
    """Every write is committed before the call returns."""

    async def create_incident(
        self,
        *,
        title: str,
        severity: Severity,
        scope: Scope,
        author: str,
        detected_at: datetime,
        detected_text: str,
        recorded_at: datetime,
        data: dict[str, Any] | None = None,
    ) -> int:
        """The incident and its `detected` entry (`data` added to that entry's)."""
        ...

    async def append_event(
        self,
        incident_id: int,
        *,
        kind: Kind,
        text: str,
        author: str,
        at: datetime,
        recorded_at: datetime,
        auto: bool = False,
        data: dict[str, Any] | None = None,
        check: Callable[[Sequence[Event]], object] | None = None,
    ) -> Event:
        """`check` sees the incident's entries the correction rules read (RULE_KINDS of
        warroom.corrections) inside the write transaction, and raises to refuse the entry."""
        ...

    async def append_observation(
        self,
        incident_id: int,
        *,
        key: str,
        text: str,
        author: str,
        at: datetime,
        window: timedelta,
        data: dict[str, Any] | None = None,
        recorded_at: datetime | None = None,
    ) -> Event | None:
        """An automatic entry, unless one with the same key was written within `window` (by any
        console: several watch the same feeds). `recorded_at` later than `at`: observed before
        it was written (before the incident was declared)."""
        ...

    async def amend_event(
        self,
        event_id: int,
        *,
        author: str,
        edited_at: datetime,
        text: str | None = None,
        at: datetime | None = None,
        check: Callable[[Event, Sequence[Event]], object] | None = None,
    ) -> Event:
        """`check` sees the entry as it is and its incident's RULE_KINDS entries, in the write
        transaction, and raises to refuse the change."""
        ...

    async def retract_event(
        self,
        incident_id: int,
        entry_id: int,
        *,
        reason: str,
        author: str,
        at: datetime,
        check: Callable[[Event | None, Sequence[Event]], Event],
    ) -> Event:
        """Append a `retracted` entry naming `entry_id`, after `check` (given the entry, None
        when there is none, and the incident's RULE_KINDS entries) returned it; a retracted
        checklist tick, severity or scope change stops holding. One transaction."""
        ...

    async def set_severity(
        self,
        incident_id: int,
        severity: Severity,
        *,
        author: str,
        at: datetime,
        reason: str,
        data: dict[str, Any] | None = None,
    ) -> Event | None: ...

    async def set_scope(
        self, incident_id: int, scope: Scope, *, author: str, at: datetime
    ) -> Event | None: ...

    async def set_checklist(
        self,
        incident_id: int,
        item_id: str,
        *,
        done: bool,
        label: str,
        author: str,
        at: datetime,
        data: dict[str, Any] | None = None,
        milestone: Kind | None = None,
        milestone_text: str = "",
    ) -> Event:
        """Mark a step; with `milestone`, also log that milestone (same transaction, so two
        consoles ticking at once log it once) unless the timeline already has one."""
        ...

    async def add_action_item(
        self,
        incident_id: int,
        *,
        text: str,
        owner: str,
        deadline: date | None,
        author: str,
        at: datetime,
    ) -> ActionItem: ...

    async def update_action_item(self, item_id: int, **changes: Any) -> ActionItem: ...

    async def set_postmortem_field(
        self, incident_id: int, name: str, value: str, *, author: str, at: datetime
    ) -> None: ...

    async def save_postmortem_field(
        self,
        incident_id: int,
        name: str,
        value: str,
        *,
        based_on: int,
        author: str,
        at: datetime,
    ) -> FieldSave:
        """Store the field unless someone saved a version other than `based_on` meanwhile
        (then return theirs as the conflict); the text is kept in the journal either way."""
        ...

    async def postmortem_versions(self, incident_id: int) -> dict[str, FieldVersion]: ...

    async def mark_exported(self, incident_id: int, at: datetime) -> None: ...

    async def get_incident(self, incident_id: int) -> Incident: ...

    # The outbox: team-channel messages kept until sent or discarded.
    async def queue_posts(
        self,
        incident_id: int,
        channels: Sequence[str],
        text: str,
        *,
        author: str,
        at: datetime,
        lease_until: datetime,
    ) -> list[OutboxMessage]:
        """Keep the message for each channel, already claimed (first attempt) by the caller."""
        ...

    async def claim_post(
        self, post_id: int, *, now: datetime, lease_until: datetime
    ) -> OutboxMessage | None:
        """Take a pending, due message for one attempt, so that only one process sends it."""
        ...

    async def post_sent(
        self, post_id: int, *, at: datetime, data: dict[str, Any] | None = None
    ) -> Event | None:
        """Mark it sent and journal it as a `comms` entry, atomically (None: already sent)."""
        ...

    async def post_failed(
        self, post_id: int, *, attempt: int, error: str, retry_at: datetime
    ) -> None: ...

    async def discard_post(self, post_id: int, *, by: str, at: datetime) -> OutboxMessage: ...

    async def retry_posts_now(self, at: datetime, incident_id: int | None = None) -> int: ...

    async def outbox(
        self, *, incident_id: int | None = None, due_by: datetime | None = None
    ) -> list[OutboxMessage]: ...

    async def last_action(self, action: str, target: str) -> dict[str, Any] | None:
        """The data of the latest successful `action` on `target`, in any incident."""
        ...

    # Mitigation leases: one running mitigation per target, across processes.
    async def take_mitigation_lease(
        self, key: str, *, action: str, holder: str, token: str, now: datetime, until: datetime
    ) -> MitigationLease:
        """Ours (same token), or the live lease someone else holds on `key`."""
        ...

    async def release_mitigation_lease(self, key: str, token: str) -> None: ...

    async def last_mitigation(self, target: str, actions: Sequence[str]) -> Event | None:
        """The latest successful one of `actions` on `target`, in any incident."""
        ...

    async def list_incidents(self, status: Status | None = None) -> list[IncidentSummary]: ...

    async def record_telemetry(self, buckets: Sequence[Bucket], *, recorded_at: datetime) -> None:
        """The flight recorder's closed buckets; one already kept is left as it was."""
        ...

    async def telemetry(self, since: datetime, until: datetime) -> list[Bucket]:
        """The buckets starting in [since, until), in time order."""
        ...

    async def feed_board(self, fingerprint: str) -> FeedBoard:
        """The board where the consoles of this journal share the feeds of one set of sources
        (JournalError when it cannot be opened: the console then polls alone)."""
        ...

    async def change_token(self) -> Hashable:
        """Cheap to call often: differs from the last value once anyone, in any process, wrote."""
        ...

    async def close(self) -> None: ...


__all__ = ["Journal", "JournalError", "NotFound", "open_journal"]


async def open_journal(
    location: str | Path, *, synchronous: str = "FULL", group: str = ""
) -> Journal:
    """Open the journal at a file path (SQLite), shared with Unix `group` when given. Other
    back-ends will be chosen by URL scheme."""
    from warroom.store import SqliteJournal

    return await SqliteJournal.open(Path(location), synchronous=synchronous, group=group)
