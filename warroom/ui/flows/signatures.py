"""The console's side of error signatures: the deployments ECS shows reach every log pane (to
mark what is new since which), a signature's first appearance after one is written to the
timeline once (however many consoles see it), and `y` on a signature logs it as evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from warroom.deploys import changed_since
from warroom.evidence import shorten
from warroom.model import Kind
from warroom.signatures import Signature
from warroom.sources.ecs import EcsSnapshot
from warroom.ui.logpane import LogPane
from warroom.ui.panels import app_now

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def signature_observation_key(group: str, revision: str) -> str:
    """The automatic entry's key: new errors on a group since a revision are written once
    (within the journal's observation window), whichever console sees them first."""
    return f"signature_new:{group}:{revision}"


def new_errors_text(group: str, revision: str, signatures: list[Signature]) -> str:
    """One entry for the errors a deploy brought, not one per error: the earliest first, the
    others counted (the pane marks each NEW)."""
    first = min(signatures, key=lambda s: s.first_seen or _EARLIEST)
    more = f" (+{len(signatures) - 1} more)" if len(signatures) > 1 else ""
    seen = f", first seen {first.first_seen:%H:%M:%S}" if first.first_seen else ""
    count = len(signatures)
    return (
        f"{count} new error{'s' * (count != 1)} on {group} since {revision}{seen}: "
        f"{shorten(first.distinctive, 160)}{more}"
    )


class SignatureFlow(_Base):
    _signatures_from: datetime | None = None

    def share_deploys(self, previous: EcsSnapshot | None, snapshot: EcsSnapshot) -> None:
        """Every log pane learns the deployments; the panes' lines begin `logs.since` before
        the console's first ECS reading (both feeds start with the console)."""
        if not snapshot.source.ok:
            return  # what ECS showed last still holds; nothing is known of the time since
        if self._signatures_from is None:
            self._signatures_from = app_now(self) - self.config.logs.since
        deploys = changed_since(previous, snapshot)
        for pane in self.query(LogPane):
            pane.set_deploys(deploys, self._signatures_from, snapshot.at)

    async def on_signature_mode_new_signatures(self, message: LogPane.NewSignatures) -> None:
        by_revision: dict[str, list[Signature]] = {}
        for sig, revision in message.marked:
            by_revision.setdefault(revision, []).append(sig)
        for revision, signatures in by_revision.items():
            text = new_errors_text(message.group, revision, signatures)
            key = signature_observation_key(message.group, revision)
            at = min((s.first_seen for s in signatures if s.first_seen), default=app_now(self))
            await self._observe(key, text, at)

    async def on_signature_mode_signature_evidence(
        self, message: LogPane.SignatureEvidence
    ) -> None:
        if self.room is None or self.incident is None:
            return
        await self._guard(
            self.room.log(
                Kind.NOTE,
                message.text,
                incident_id=self.incident.id,
                data={
                    "evidence": self._evidence(),
                    "signature": {"group": message.group, "signature": message.signature},
                },
            )
        )
        self.notify("signature added to the timeline", timeout=2)
