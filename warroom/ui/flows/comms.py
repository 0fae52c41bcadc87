"""Status updates from the console: `u` drafts and posts the runbook's message, `o` shows the
outbox, and a timer retries what is due. A mixin of the console app."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from textual.css.query import NoMatches

from warroom.errors import JournalError, UserError
from warroom.model import format_id
from warroom.sanitize import redact_secrets
from warroom.ui.dialogs import ConfirmScreen, UpdateEditor
from warroom.ui.outbox import OutboxScreen
from warroom.ui.panels import IncidentHeader

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object


# No brackets: the dialog's title and the toasts read Rich markup.
NO_CHANNEL = "no team channel is configured (notify.channel in the config)"


class CommsFlow(_Base):
    _delivering: bool
    update_drafts: dict[int, tuple[str, str]]

    async def action_update(self) -> None:
        """`u`: the runbook's message for this phase, prefilled, editable, then posted; a text
        that could not be sent comes back as it was edited, while the phase is the same."""
        if self.room is None or self.incident is None:
            return
        draft = await self._guard(self.room.draft_update(self.incident.id))
        if draft is None:
            return
        incident_id = self.incident.id
        channels = ", ".join(self.config.notify.targets)
        title = f"Status update ({draft.kind}) to {channels or NO_CHANNEL}"
        if draft.kind == "share":  # Phase 4, step 11: sending it ticks the step
            title = f"Share the post-mortem (step 11) to {channels or NO_CHANNEL}"
        text = draft.text
        kept = self.update_drafts.get(incident_id)
        if kept is not None and kept[0] == draft.kind:
            text = kept[1]
            title += "; your text, not sent yet"
        elif draft.missing:
            title += f"; fill in {', '.join(draft.missing)}"
        if not channels:
            title += "; ctrl+s keeps it here"

        def send(text: str | None) -> None:
            if text and self.room is not None:
                self.run_worker(self._post(incident_id, draft.kind, text), group="comms")

        self.push_screen(UpdateEditor(title, text), send)

    async def _post(self, incident_id: int, kind: str, text: str) -> None:
        if self.room is None:
            return
        try:
            deliveries = await self.room.post_update(text, incident_id=incident_id)
        except (UserError, JournalError) as exc:
            # Not queued anywhere: kept as the draft, so the edited text is not lost.
            self.update_drafts[incident_id] = (kind, redact_secrets(text))
            why = str(exc) if self.config.notify.targets else NO_CHANNEL
            self.notify(
                f"{why[:1].upper()}{why[1:]}. Your text is kept: u opens it again.",
                title="update NOT sent",
                severity="error",
                timeout=20,
            )
            return
        self.update_drafts.pop(incident_id, None)  # queued: the outbox has it now
        await self.reload()
        for delivery in deliveries:
            channel = delivery.message.channel
            if delivery.ok:
                self.notify(f"posted to {channel}", title="update sent", timeout=5)
            elif delivery.result is not None:
                self.notify(
                    f"{channel}: {delivery.result.detail}. Kept in the outbox and retried "
                    "with backoff; o shows it.",
                    title="update NOT sent yet",
                    severity="error",
                    timeout=20,
                )
        await self._count_unsent()

    def _outbox_tick(self) -> None:
        if self.room is not None and not self._delivering:
            self._delivering = True
            self.run_worker(self._deliver_outbox(), group="outbox")

    async def _deliver_outbox(self) -> None:
        """Retry what is due; a retry that succeeds is said, one that fails again only counts
        in the header (the outbox screen has the errors)."""
        try:
            if self.room is None:
                return
            deliveries = await self.room.deliver_due()
            if any(d.ok for d in deliveries):
                await self.reload()  # the comms entry; the update clock restarts from it
            for delivery in deliveries:
                if delivery.ok:
                    message = delivery.message
                    self.notify(
                        f"#{message.id} posted to {message.channel} after {message.attempts} tries",
                        title="update sent",
                        timeout=5,
                    )
            await self._count_unsent()
        except Exception as exc:  # a retry loop must never take the console down
            self.notify(str(exc), title="Outbox", severity="error", timeout=10)
        finally:
            self._delivering = False

    async def _count_unsent(self) -> None:
        if self.room is None:
            return
        try:
            unsent = len(await self.room.outbox())
        except JournalError:
            return  # the change poll says so; the count waits for the journal to come back
        with suppress(NoMatches):
            header = self.query_one(IncidentHeader)
            if header.unsent != unsent:
                header.unsent = unsent
                header.redraw()

    async def action_outbox(self) -> None:
        """`o`: updates not sent yet; retry them now or discard one."""
        if self.room is None:
            return
        messages = await self._guard(self.room.outbox())
        if messages is None:
            return
        notes = [] if self.config.notify.targets else [f"Updates cannot be sent: {NO_CHANNEL}."]
        if self.update_drafts:
            refs = ", ".join(format_id(n) for n in sorted(self.update_drafts))
            notes.append(f"Kept, not sent: your update text for {refs} (u opens it).")

        async def chosen(answer: tuple[str, int | None] | None) -> None:
            if answer is None or self.room is None:
                return
            what, post_id = answer
            if what == "retry":
                self.run_worker(self._retry_outbox(), group="outbox")
            elif post_id is not None:

                async def discard(yes: bool | None) -> None:
                    if yes and self.room is not None and post_id is not None:
                        if await self._guard(self.room.discard_post(post_id)) is not None:
                            self.notify(f"#{post_id} discarded; it will not be sent", timeout=4)
                        await self._count_unsent()

                self.push_screen(
                    ConfirmScreen(f"Discard update #{post_id}? It will never be sent."), discard
                )

        self.push_screen(OutboxScreen(messages, notes), chosen)

    async def _retry_outbox(self) -> None:
        if self.room is None:
            return
        deliveries = await self._guard(self.room.retry_outbox_now())
        sent = sum(1 for d in deliveries or () if d.ok)
        failed = sum(1 for d in deliveries or () if d.result is not None and not d.ok)
        self.notify(
            f"{sent} sent, {failed} still failing",
            title="outbox",
            severity="error" if failed else "information",
            timeout=6,
        )
        await self._count_unsent()
