"""The team's QA checklist (`qa-checklist.md`): its task-list items become sub-steps of the
Resolve phase's Verify step. No terminal, no journal.

An item is a Markdown task-list line: `-`, `*` or `+`, a space, `[ ]` / `[x]` / `[X]`, a space,
then the text; indented (nested) items count too. Lines inside fenced code blocks do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from warroom.config import Config
from warroom.sanitize import strip_controls

MAX_ITEM = 200  # characters; a checklist line is a title, not a paragraph

_ITEM = re.compile(r"^\s{0,12}[-*+][ \t]+\[[ xX]\][ \t]+(?P<text>\S.*)$")
_FENCE = re.compile(r"^\s{0,3}(?P<mark>`{3,}|~{3,})")


def checklist_items(markdown: str) -> list[str]:
    """The texts of the task-list items, in file order, done or not; whitespace folded."""
    items: list[str] = []
    fence = ""
    for line in markdown.splitlines():
        opening = _FENCE.match(line)
        if fence:
            # A fence closes with the same character, at least as long.
            if opening and opening["mark"][0] == fence[0] and len(opening["mark"]) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening["mark"]
            continue
        match = _ITEM.match(line)
        if match is None:
            continue
        text = " ".join(strip_controls(match["text"]).split())
        if text:
            items.append(text if len(text) <= MAX_ITEM else text[: MAX_ITEM - 1] + "…")
    return items


class QaChecklistError(Exception):
    """The checklist file could not be read; the message names the file and the problem."""


def read_checklist(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QaChecklistError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise QaChecklistError(f"is a directory, not a Markdown file: {path}") from None
    except PermissionError:
        raise QaChecklistError(f"permission denied: {path}") from None
    except UnicodeDecodeError:
        raise QaChecklistError(f"not UTF-8 text: {path}") from None
    except OSError as exc:
        raise QaChecklistError(f"cannot read {path}: {exc.strerror or exc}") from None
    return checklist_items(text)


@dataclass(frozen=True)
class QaChecklist:
    items: tuple[str, ...] = ()
    problem: str = ""  # why the configured file gave no items ("" when fine or not configured)


def load_qa_checklist(config: Config) -> QaChecklist:
    """The config's `[runbook] qa_checklist` items; a missing or unreadable file is reported in
    `problem`, never raised: the console must open at 03:00 whatever the file's state."""
    path = config.qa_checklist_path()
    if path is None:
        return QaChecklist()
    try:
        return QaChecklist(tuple(read_checklist(path)))
    except QaChecklistError as exc:
        return QaChecklist(problem=f"QA checklist {exc}")
