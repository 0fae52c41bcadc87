"""What the console offers on its own: health recovered (mark mitigated?) and, for a few seconds
after a milestone key, undo. Shown in the prompt bar, never in a dialog: an offer takes neither
the focus nor a key someone is typing, and waits while the bar asks something. `y` answers,
`esc` dismisses, `ctrl+z` undoes; a pane's own use of those keys comes first (`y` in a log pane
still copies its line). An offer is withdrawn as soon as the journal makes it moot: the
mitigation logged here, in another console or by the CLI; the entry retracted; the incident
resolved or switched. A mixin of the console app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual.css.query import NoMatches

from warroom.model import KIND_LABELS, Event, Incident, Kind, Status
from warroom.service.corrections import UNDO_REASON
from warroom.ui.promptbar import PromptBar

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object

# How long after a milestone key (or after its short text is in) ctrl+z still undoes it.
UNDO_WINDOW = timedelta(seconds=10)
MITIGATED = "mitigated"
UNDO = "undo"


@dataclass(frozen=True)
class Offer:
    incident_id: int
    text: str  # as the bar shows it, with the key that answers it
    wanted: Callable[[Incident], bool]  # still makes sense with the journal as it is now
    accept: Callable[[], Awaitable[None]]
    until: datetime | None = None  # by the console's clock


class OfferFlow(_Base):
    _offers: dict[str, Offer]

    def make_offer(self, name: str, offer: Offer) -> None:
        self._offers[name] = offer
        self.recheck_offers(changed=True)

    def withdraw_offer(self, name: str) -> None:
        if self._offers.pop(name, None) is not None:
            self.recheck_offers(changed=True)

    def recheck_offers(self, *, changed: bool = False) -> None:
        """Withdraw what the journal (or the clock) has made moot; show the rest."""
        incident, now = self.incident, self.clock()
        for name, offer in list(self._offers.items()):
            if (
                incident is None
                or incident.id != offer.incident_id
                or (offer.until is not None and now > offer.until)
                or not offer.wanted(incident)
            ):
                del self._offers[name]
                changed = True
        if changed:
            shown = [self._offers[n].text for n in (UNDO, MITIGATED) if n in self._offers]
            try:
                self.query_one(PromptBar).offer("   ·   ".join(shown))
            except NoMatches:  # the app is shutting down
                return
            self.refresh_bindings()

    def offer_state(self, action: str) -> bool:
        """Whether `y` / `esc` answer an offer now (else they are left to whoever else)."""
        if action == "accept_offer":
            return MITIGATED in self._offers
        try:
            return bool(self._offers) and not self.query_one(PromptBar).asking
        except NoMatches:  # the app is shutting down
            return False

    async def action_accept_offer(self) -> None:
        offer = self._offers.pop(MITIGATED, None)
        self.recheck_offers(changed=True)
        if offer is not None:
            await offer.accept()

    def action_dismiss_offer(self) -> None:
        self._offers.clear()
        self.recheck_offers(changed=True)

    async def action_undo(self) -> None:
        """`ctrl+z`: retract the milestone just logged here ("undone")."""
        self.recheck_offers()  # the clock may have run out since the last tick
        offer = self._offers.pop(UNDO, None)
        if offer is None:
            self.notify(
                "Nothing to undo now: on the timeline, delete retracts the highlighted entry "
                "(with a reason).",
                timeout=6,
            )
            return
        self.recheck_offers(changed=True)
        await offer.accept()

    def offer_mitigated(self, at: datetime) -> None:
        """Health is back: if nobody has logged the mitigation yet, offer to, at that time."""
        incident = self.incident
        if incident is None or incident.status is Status.RESOLVED:
            return
        if incident.milestones.mitigated is not None:
            return
        incident_id = incident.id

        def wanted(now: Incident) -> bool:
            return now.status is Status.OPEN and now.milestones.mitigated is None

        async def accept() -> None:
            if self.room is None:
                return
            event = await self._guard(
                self.room.log(
                    Kind.MITIGATED,
                    "Service restored (health recovered)",
                    incident_id=incident_id,
                    at=at,
                    data={"evidence": self._evidence()},
                )
            )
            if event is not None:
                self.notify(f"mitigated logged at {at:%H:%M:%S} UTC", timeout=4)
                self.offer_undo(event)

        text = f"Health recovered at {at:%H:%M:%S} UTC. Mark mitigated at {at:%H:%M}? y yes, esc no"
        self.make_offer(MITIGATED, Offer(incident_id, text, wanted, accept))
        if self.screen is not self.screen_stack[0]:  # the bar is under a dialog: say it once
            self.notify(
                f"health recovered at {at:%H:%M:%S} UTC; y on the main screen logs the mitigation",
                timeout=10,
            )

    def offer_undo(self, event: Event, *, timed: bool = True) -> None:
        """For a few seconds from now (untimed: while the bar asks for its short text), ctrl+z
        retracts `event` ("undone")."""
        label = KIND_LABELS[event.kind].lower()
        when = f"{event.at:%H:%M:%S}"

        def wanted(now: Incident) -> bool:
            return event.id not in now.retractions

        async def accept() -> None:
            bar = self.query_one(PromptBar)
            if bar.asking and bar.about == event.id:  # its short text is moot now
                await bar.action_cancel()
            if self.room is None:
                return
            undone = self.room.retract(event.id, UNDO_REASON, incident_id=event.incident_id)
            if await self._guard(undone) is not None:
                self.notify(
                    f"{label} at {when} undone: retracted, it no longer counts "
                    "(the timeline keeps it, struck through)",
                    timeout=6,
                )

        until = self.clock() + UNDO_WINDOW if timed else None
        text = f"ctrl+z undoes {label} ({when})"
        self.make_offer(UNDO, Offer(event.incident_id, text, wanted, accept, until))
