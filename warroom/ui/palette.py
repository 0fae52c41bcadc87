"""The command palette's own commands: every key's action by name (the main screen's, and the
focused pane's) and every mitigation of the runbook's table, picked to open the `!` menu on it.

Shown as plain text, never markup: descriptions quote config sections such as `[runbook]`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.widget import Widget

from warroom.ui import keys
from warroom.ui.logpane import LogPane
from warroom.ui.panels import ChecklistPane, TimelinePane

if TYPE_CHECKING:
    from warroom.actions import MenuRow
    from warroom.ui.app import WarRoomApp

PANE_GROUPS: tuple[tuple[type[Widget], str], ...] = (
    (LogPane, keys.LOG_PANE),
    (TimelinePane, keys.TIMELINE),
    (ChecklistPane, keys.CHECKLIST),
)


@dataclass(frozen=True)
class Command:
    name: str  # what the palette matches and shows
    help: str
    run: Callable[[], object]


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def key_commands(app: WarRoomApp, focused: Widget | None) -> list[Command]:
    """The main screen's keys, then those of the pane that has the focus (run on that pane)."""
    found = [
        Command(sentence(k.description), f"key: {k.shown_as}", partial(app.run_action, k.action))
        for k in keys.palette_commands()
    ]
    pane, group = focused_pane(focused)
    if pane is not None:
        found += [
            Command(
                sentence(k.description),
                f"key: {k.shown_as} ({group.lower()})",
                partial(pane.run_action, k.action),
            )
            for k in keys.KEYS
            if k.group == group and k.action
        ]
    return found


def focused_pane(focused: Widget | None) -> tuple[Widget | None, str]:
    for node in (focused, *(focused.ancestors if focused is not None else ())):
        for kind, group in PANE_GROUPS:
            if isinstance(node, kind):
                return node, group
    return None, ""


def mitigation_commands(app: WarRoomApp, rows: list[MenuRow]) -> list[Command]:
    """One per mitigation, named with the situation it answers ("failover (Redis down)")."""
    return [
        Command(
            f"Mitigation: {row.name} ({row.situation})",
            row.description,
            partial(app.open_mitigations, row.name),
        )
        for row in rows
    ]


def highlighted(matcher: Matcher, text: str) -> Content:
    """`text` literally, with the letters the query matched marked (Matcher.highlight would
    read `text` as markup)."""
    content = Content(text)
    _, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ConsoleCommands(Provider):
    """The console's commands, offered on the main screen (a dialog or reader above it keeps
    the one-key actions away on purpose)."""

    commands: list[Command]

    async def startup(self) -> None:
        from warroom.ui.app import WarRoomApp

        app = self.app
        self.commands = []
        if not isinstance(app, WarRoomApp) or self.screen is not app.screen_stack[0]:
            return
        self.commands = key_commands(app, self.focused)
        if app.incident is not None:
            # The actions bring boto3: imported off the event loop the first time.
            rows = await asyncio.to_thread(_menu, app)
            self.commands += mitigation_commands(app, rows)

    async def discover(self) -> Hits:
        for command in self.commands:
            yield DiscoveryHit(
                Content(command.name), command.run, text=command.name, help=Content(command.help)
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.commands:
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    score,
                    highlighted(matcher, command.name),
                    command.run,
                    text=command.name,
                    help=Content(command.help),
                )


def _menu(app: WarRoomApp) -> list[MenuRow]:
    from warroom import actions

    return actions.menu(app.config, app.runbook)
