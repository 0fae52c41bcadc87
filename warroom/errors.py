"""Errors whose message is for the person at the keyboard."""

from __future__ import annotations

from datetime import datetime


class UserError(Exception):
    """A request that cannot be done as asked (bad id, kind, text, time): the CLI exits 2."""


class NotFound(UserError, LookupError):
    """No such incident, entry or action item."""


class Refused(UserError):
    """A write the incident's rules do not take (a milestone on a resolved incident, a second
    acknowledgement, a retraction of a retraction): the message says why and what to do."""


class IncidentResolved(Refused):
    """A milestone on a resolved incident: only notes, post-mortem work and reopening are taken.
    `ref` names the incident, for a caller that words the way to reopen it its own way."""

    def __init__(self, message: str, *, ref: str) -> None:
        super().__init__(message)
        self.ref = ref


class AlreadyLogged(Refused):
    """The milestone is on the timeline already (an acknowledgement, or the same milestone a
    moment ago from another console): who logged it, when, and its entry number."""

    def __init__(self, message: str, *, by: str, at: datetime, entry: int) -> None:
        super().__init__(message)
        self.by = by
        self.at = at
        self.entry = entry


class MissingInput(UserError):
    """A mitigation asked for without the target or value it cannot do without. The message
    names the command line's flag; `console` says it for the console's form, whose fields are
    named Target and Value."""

    def __init__(self, action: str, field: str, detail: str) -> None:
        super().__init__(f"{action} needs --{field}: {detail}")
        self.action = action
        self.field = field  # "target" or "value"
        self.detail = detail

    @property
    def console(self) -> str:
        return f"{self.action} needs a {self.field}: {self.detail}"


class JournalError(Exception):
    """The journal cannot be opened or used (permissions, a newer schema, a broken file)."""


# Every failure the war room reports with a message for the person at the keyboard: a refused
# request, or a journal it cannot use (the store turns each sqlite3 error into JournalError).
# The console shows these and carries on; anything else is a bug.
EXPECTED_ERRORS = (UserError, JournalError)
