"""One registry of keys feeds the bindings, the key bar, the palette, the help and the README."""

from __future__ import annotations

import re

from warroom.ui import keys
from warroom.ui.app import WarRoomApp
from warroom.ui.logpane import LogPane
from warroom.ui.panels import ChecklistPane, TimelinePane

from .conftest import REPO


def readme_key_table() -> set[str]:
    text = (REPO / "README.md").read_text()
    table = text[text.index("| key | what it does |") :].split("\n\n")[0]
    names: set[str] = set()
    for row in table.splitlines()[2:]:
        names.update(re.findall(r"`([^`]+)`", row.split("|")[1]))
    return names


def test_the_readme_key_table_lists_exactly_the_registry():
    assert readme_key_table() == keys.readme_keys()


def test_every_widget_binds_its_group_from_the_registry():
    for widget, group in (
        (WarRoomApp, keys.MAIN),
        (LogPane, keys.LOG_PANE),
        (TimelinePane, keys.TIMELINE),
        (ChecklistPane, keys.CHECKLIST),
    ):
        bound = {(b.key, b.action) for b in widget.BINDINGS}
        registered = {(k.key, k.action) for k in keys.KEYS if k.group == group and k.action}
        assert bound == registered, widget


def test_ids_are_unique_and_every_main_action_is_in_the_palette():
    ids = [k.id for k in keys.KEYS]
    assert len(ids) == len(set(ids))
    actions = {k.action for k in keys.palette_commands()}
    assert {k.action for k in keys.KEYS if k.group == keys.MAIN and k.action} == actions
