"""The war room's team channel: status updates drafted from the journal, posted to every
channel, kept in the outbox and retried with backoff until sent or discarded. A mixin of
`WarRoom`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from warroom.backoff import backoff
from warroom.errors import UserError
from warroom.followups import OutboxMessage, PostState
from warroom.model import Event
from warroom.service.cleaning import clean_text

if TYPE_CHECKING:
    from warroom.notify import PostResult
    from warroom.service.room import WarRoom
    from warroom.updates import Draft

    _Base = WarRoom
else:
    _Base = object

RETRY_FIRST = timedelta(seconds=5)
# How long a sender holds a message: well past a post's own 10 s timeout. A sender that dies
# mid-post leaves it to be retried after this; one that posts and then dies before recording
# it makes the retry a second copy: delivery is at least once.
SEND_LEASE = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    """5 s after the first failure, doubling, at most 5 min: a channel that is down for an hour
    is tried about twenty times, and one back within seconds is not kept waiting."""
    seconds = backoff(
        attempts - 1, RETRY_FIRST.total_seconds(), RETRY_MAX.total_seconds(), jitter=False
    )
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Delivery:
    """One attempt at one channel. `result` None: not attempted here (already sent, discarded,
    or being sent by another process)."""

    message: OutboxMessage
    result: PostResult | None
    event: Event | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok


class TeamChannel(_Base):
    async def draft_update(self, incident_id: int | None = None) -> Draft:
        """The runbook's message for where the incident is, prefilled from the journal; once
        the post-mortem is exported, the message sharing it (step 11)."""
        from warroom.phase4.share import draft_share, postmortem_location, share_due
        from warroom.updates import draft_update

        incident = await self.incident(await self.target(incident_id))
        if share_due(incident):
            directory = self.config.postmortem_directory()
            url_base = self.config.postmortem.url_base
            return draft_share(incident, postmortem_location(incident, directory, url_base))
        return draft_update(incident)

    async def post_update(self, text: str, *, incident_id: int | None = None) -> list[Delivery]:
        """Queue the message for every team channel, then try each once. A message that fails
        stays in the outbox and is retried with backoff (`deliver_due`) until it is sent or a
        person discards it; a sent one is journaled as a `comms` entry."""
        self.refuse_if_read_only("posting a status update")
        incident = await self.target(incident_id)
        text = clean_text(text, "message")
        channels = self.config.notify.targets
        if not channels:
            raise UserError("no team channel configured ([notify] channel or channels)")
        # Queued already claimed by us: another console's retry loop cannot take it meanwhile.
        now = self.now()
        queued = await self.journal.queue_posts(
            incident, channels, text, author=self.author, at=now, lease_until=now + SEND_LEASE
        )
        await self._tick_if_shared(incident)
        return [await self._attempt(message) for message in queued]

    async def _tick_if_shared(self, incident_id: int) -> None:
        """An update posted once the post-mortem is exported shares it: step 11, with who
        and when. Queued is enough: the outbox delivers it, or says why not."""
        from warroom.phase4.share import share_due

        if share_due(await self.incident(incident_id)):
            await self._tick_once("share", incident_id)

    async def deliver_due(self) -> list[Delivery]:
        """Retry every outbox message whose next attempt is due (the console calls this every
        few seconds; `warroom outbox retry` once). A read-only console leaves them to others."""
        if self.config.read_only:
            return []
        due = await self.journal.outbox(due_by=self.now())
        return [await self._deliver(message) for message in due]

    async def outbox(self, incident_id: int | None = None) -> list[OutboxMessage]:
        return await self.journal.outbox(incident_id=incident_id)

    async def retry_outbox_now(self, incident_id: int | None = None) -> list[Delivery]:
        self.refuse_if_read_only("posting the outbox")
        await self.journal.retry_posts_now(self.now(), incident_id)
        return await self.deliver_due()

    async def discard_post(self, post_id: int) -> OutboxMessage:
        message = await self.journal.discard_post(post_id, by=self.author, at=self.now())
        if message.state is not PostState.DISCARDED:
            raise UserError(f"message {post_id} is already {message.state.value}")
        return message

    async def _deliver(self, message: OutboxMessage) -> Delivery:
        now = self.now()
        claimed = await self.journal.claim_post(message.id, now=now, lease_until=now + SEND_LEASE)
        if claimed is None:  # sent, discarded, or another console is sending it right now
            return Delivery(message, None, None)
        return await self._attempt(claimed)

    async def _attempt(self, claimed: OutboxMessage) -> Delivery:
        """One post of a message this process holds the lease on."""
        from warroom.notify import post_update

        result = await post_update(self.config.notify, claimed.text, channel=claimed.channel)
        if result.ok:
            event = await self.journal.post_sent(
                claimed.id, at=self.now(), data={"status": result.status, "detail": result.detail}
            )
            return Delivery(claimed, result, event)
        retry_at = self.now() + retry_delay(claimed.attempts)
        await self.journal.post_failed(
            claimed.id, attempt=claimed.attempts, error=result.detail, retry_at=retry_at
        )
        return Delivery(
            replace(claimed, last_error=result.detail, next_attempt_at=retry_at), result
        )
