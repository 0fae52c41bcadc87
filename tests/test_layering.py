"""The layering DESIGN.md fixes: the CLI and the console reach the journal only through the war
room (service.py, the one write path), and Textual stays under warroom/ui/."""

from __future__ import annotations

import ast
import re

from .conftest import REPO

PACKAGE = REPO / "warroom"
FRONTS = [
    PACKAGE / "cli.py",
    PACKAGE / "commands.py",
    PACKAGE / "item_commands.py",
    PACKAGE / "textview.py",
    *sorted((PACKAGE / "ui").rglob("*.py")),
]
# `room.journal.x`: reading or writing the store past the war room.
_PAST_THE_ROOM = re.compile(r"\broom\.journal\b")


def imported(path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_cli_and_the_console_go_through_the_war_room():
    for path in FRONTS:
        store = {
            n
            for n in imported(path)
            if n.split(".")[:2] in (["warroom", "store"], ["warroom", "journal"])
        }
        assert not store, f"{path.relative_to(REPO)} imports {store}"
        assert not _PAST_THE_ROOM.search(path.read_text()), path.relative_to(REPO)


def test_textual_only_under_ui():
    for path in sorted(PACKAGE.rglob("*.py")):
        if (PACKAGE / "ui") in path.parents:
            continue
        textual = {n for n in imported(path) if n.split(".")[0] in ("textual", "rich")}
        assert not textual, f"{path.relative_to(REPO)} imports {textual}"
