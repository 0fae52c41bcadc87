"""Who has a console open on which incident: one small heartbeat file per console in a
directory beside the journal (`warroom.db.here/`), rewritten every HEARTBEAT and counted while
younger than EXPIRE. Not in the journal on purpose: a heartbeat is not a timeline entry, and a
journal commit every few seconds per console would make every console reload its incident.

A console that quits removes its file; one killed stops beating and drops out after EXPIRE
(at once when its process is seen gone on this host). Files are shared like the journal."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from warroom.fileaccess import companion_access, make_directory
from warroom.sanitize import clean_name
from warroom.timeutil import utcnow

HEARTBEAT = timedelta(seconds=5)
EXPIRE = 3 * HEARTBEAT
FORGET = timedelta(hours=1)  # files this old are removed by whoever sees them


def presence_dir(journal: Path) -> Path:
    return journal.with_name(journal.name + ".here")


@dataclass(frozen=True)
class Beat:
    name: str
    incident: int | None
    host: str
    pid: int
    at: datetime


class Presence:
    def __init__(
        self,
        journal: Path,
        *,
        clock: Callable[[], datetime] = utcnow,
        host: str | None = None,
        pid: int | None = None,
    ) -> None:
        self.journal = journal
        self.directory = presence_dir(journal)
        self.clock = clock
        self.host = host or socket.gethostname()
        self.pid = os.getpid() if pid is None else pid
        self._file = self.directory / f"{self.host}-{self.pid}-{id(self):x}.json"

    def beat(self, name: str, incident: int | None) -> None:
        """Say this console is here, on `incident`; OSError when the directory is not ours."""
        access = companion_access(self.journal)
        make_directory(self.directory, access)
        body = {
            "name": name,
            "incident": incident,
            "host": self.host,
            "pid": self.pid,
            "at": self.clock().isoformat(),
        }
        tmp = self._file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, access.file_mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            if access.gid is not None:
                os.fchown(fd, -1, access.gid)
            os.fchmod(fd, access.file_mode)
            handle.write(json.dumps(body))
        os.replace(tmp, self._file)

    def here(self, incident: int) -> list[str]:
        """The names with a live console on `incident`, each once, sorted."""
        now = self.clock()
        names = {b.name for b in self._beats(now) if b.incident == incident}
        return sorted(names, key=str.casefold)

    def leave(self) -> None:
        with suppress(OSError):
            self._file.unlink()

    def _beats(self, now: datetime) -> list[Beat]:
        try:
            paths = list(self.directory.glob("*.json"))
        except OSError:
            return []
        beats = []
        for path in paths:
            beat = _read(path)
            if beat is None:
                continue
            age = now - beat.at
            if age > FORGET:
                with suppress(OSError):
                    path.unlink()
            if age <= EXPIRE and not self._gone(beat):
                beats.append(beat)
        return beats

    def _gone(self, beat: Beat) -> bool:
        """Its process ended on this host (`kill -9`, an SSH drop): no need to wait for EXPIRE."""
        if beat.host != self.host or beat.pid == self.pid:
            return False
        try:
            os.kill(beat.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False  # another login's process: alive
        return False


def _read(path: Path) -> Beat | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        name = clean_name(str(raw["name"]))
        incident = raw.get("incident")
        at = datetime.fromisoformat(str(raw["at"]))
        if at.tzinfo is None:
            return None
        return Beat(
            name=name,
            incident=incident if isinstance(incident, int) else None,
            host=str(raw.get("host", "")),
            pid=int(raw.get("pid", 0)),
            at=at,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
