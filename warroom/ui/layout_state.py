"""The console's own state between runs (which incident, which pane, zoom, filters): a small
JSON file beside the journal, one per person. Losing it loses nothing that matters; the journal
has the rest."""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from warroom.fileaccess import companion_access

MAX_NAME = 120  # of a person's part of the file name, as written (most file systems: 255 bytes)


@dataclass
class LayoutState:
    incident: int | None = None
    active_pane: int = 0
    zoomed: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    checklist_phase: int | None = None  # None: follow the incident's phase
    # Status updates that could not be sent (no channel, read-only), per incident: the update's
    # kind and the text as edited, offered again by `u` while the incident's phase is the same.
    drafts: dict[int, tuple[str, str]] = field(default_factory=dict)


def state_path(db: Path, user: str) -> Path:
    """Each person's own: two people's consoles on one journal would otherwise each open on
    whatever the other left last (incident, pane, unsent drafts)."""
    name = quote(user, safe="")
    if len(name) > MAX_NAME:  # a long name in another script: kept under the file name limit
        name = hashlib.sha256(user.encode("utf-8", "surrogatepass")).hexdigest()
    return db.with_name(f"{db.name}.console.{name}.json")


def _shared_path(db: Path) -> Path:
    return db.with_name(db.name + ".console.json")  # before there was one per person


def load_layout(db: Path, user: str) -> LayoutState:
    path = state_path(db, user)
    try:
        if path.exists():
            return _layout(json.loads(path.read_text()))
        # Where to pick up, from the file everyone shared; not the drafts: whose were they?
        return replace(_layout(json.loads(_shared_path(db).read_text())), drafts={})
    except (OSError, ValueError, TypeError, AttributeError):
        return LayoutState()


def _layout(raw: dict[str, Any]) -> LayoutState:
    return LayoutState(
        incident=raw.get("incident") if isinstance(raw.get("incident"), int) else None,
        active_pane=int(raw.get("active_pane", 0)),
        zoomed=raw.get("zoomed") if isinstance(raw.get("zoomed"), str) else None,
        filters={str(k): str(v) for k, v in dict(raw.get("filters", {})).items()},
        checklist_phase=raw.get("checklist_phase")
        if isinstance(raw.get("checklist_phase"), int)
        else None,
        drafts={
            int(k): (str(v[0]), str(v[1]))
            for k, v in dict(raw.get("drafts", {})).items()
            if isinstance(v, list) and len(v) == 2
        },
    )


def save_layout(db: Path, user: str, state: LayoutState) -> None:
    path = state_path(db, user)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # the same person on two consoles
    try:
        # Shared or private like the journal beside it: it names the incident being worked on.
        access = companion_access(db)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, access.file_mode)
    except OSError:
        return  # a read-only directory: the layout is a convenience, the journal is what counts
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if access.gid is not None:
                os.fchown(fd, -1, access.gid)
            os.fchmod(fd, access.file_mode)
            handle.write(json.dumps(asdict(state), sort_keys=True))
        os.replace(tmp, path)
    except OSError:  # a full disk: no half-written file left behind, one per process
        with suppress(OSError):
            os.unlink(tmp)
