"""Two people, one post-mortem: each field's version, the outcome of a save based on one, and
the text that puts both sides of a conflict in the field to merge. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FieldVersion:
    """A field as the journal holds it; version 0: nobody saved it yet."""

    value: str
    version: int
    by: str
    at: datetime | None


@dataclass(frozen=True)
class FieldSave:
    """A save's outcome: the version it made, or (conflict set) the newer one it was not based
    on, which it left in place; the text refused is kept in the journal all the same."""

    version: int
    conflict: FieldVersion | None = None


def merge_text(yours: str, theirs: FieldVersion) -> str:
    """Both texts in the field, yours first and theirs beside it, marked for the merge."""
    when = f" at {theirs.at:%H:%M:%S} UTC" if theirs.at else ""
    return (
        f"{yours.rstrip()}\n"
        f"<<<<<<< {theirs.by} saved this{when} while you typed: merge, then delete the marks\n"
        f"{theirs.value.rstrip()}\n"
        f">>>>>>> end of {theirs.by}'s text"
    )
