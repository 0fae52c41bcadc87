"""The console's side of error signatures: the deployments ECS shows reach every log pane (to
mark what is new since which), a signature's first appearance after one is written to the
timeline once (however many consoles see it), and `y` on a signature logs it as evidence."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from warroom.deploys import changed_since
from warroom.evidence import shorten
from warroom.model import Kind
from warroom.sources.ecs import EcsSnapshot
from warroom.ui.logpane import LogPane
from warroom.ui.panels import app_now

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

    _Base = WarRoomApp
else:
    _Base = object


def signature_observation_key(group: str, signature: str) -> str:
    """The automatic entry's key: one per group and signature, whoever sees it first."""
    digest = hashlib.sha1(signature.encode(), usedforsecurity=False).hexdigest()[:16]
    return f"signature_new:{group}:{digest}"


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
        for sig, revision in message.marked:
            first = f" (first seen {sig.first_seen:%H:%M:%S})" if sig.first_seen else ""
            text = (
                f"new error on {message.group} since {revision}: "
                f"{shorten(sig.distinctive, 200)}{first}"
            )
            at = sig.first_seen or app_now(self)
            await self._observe(signature_observation_key(message.group, sig.key), text, at)

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
