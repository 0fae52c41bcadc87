"""The runbook's bad-deploy story in the console, on the demo world: `!` -> rollback -> typed
confirmation -> health recovers -> "mark mitigated?" is offered in the prompt bar, where it
takes no key of a note typed meanwhile, and logs the mitigation when answered."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import timedelta

from warroom.config import load_config
from warroom.demo import DemoWorld
from warroom.sources.health import HealthState
from warroom.ui.app import WarRoomApp
from warroom.ui.dialogs import DeclareScreen
from warroom.ui.mitigation_dialogs import ActionMenu, ConfirmAction
from warroom.ui.promptbar import PromptBar

from .conftest import pressed_fast, settle, typed_fast

NOTE = "rolled back to rev 8; dashboards and the outbox look ok"  # r, a, m, d and o in it


async def wait_until(pilot, predicate, what: str, timeout: float = 40.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await pilot.pause(0.2)


async def test_rollback_from_the_console_heals_the_bad_deploy(tmp_path):
    # The world reads itself four times a second and the console checks health twice a second
    # (the demo's pace: once a second, every 2 s), so the break and the heal show quickly.
    with DemoWorld(
        "bad-deploy", 1.0, tmp_path / "demo", observe_interval=0.25, driver_tick=0.25
    ) as world:
        config = load_config(str(world.config_path))
        fast = tuple(replace(e, interval=timedelta(seconds=0.5)) for e in config.health.endpoints)
        config = replace(config, health=replace(config.health, endpoints=fast))
        db = config.resolve_path(config.journal.db)
        app = WarRoomApp(config, db)
        async with app.run_test(size=(160, 48)) as pilot:
            # Keys are handed over without `pilot.press`'s wait for an idle process (the world
            # keeps it busy); each step waits for what the key shows instead.
            await wait_until(pilot, lambda: "watching" in app.sub_title, "watching")
            pressed_fast(app, "ctrl+n")  # the form is one key away
            await wait_until(pilot, lambda: isinstance(app.screen, DeclareScreen), "declare form")
            app.screen.query_one("#title").value = "API returns 500s after deploy"
            await pilot.click("#title")
            pressed_fast(app, "enter")
            await wait_until(pilot, lambda: app.incident is not None, "the incident declared")

            def health_is(state: HealthState) -> bool:
                return bool(app.health and app.health.endpoints[0].state is state)

            await wait_until(pilot, lambda: health_is(HealthState.DOWN), "the bad deploy")
            pressed_fast(app, "exclamation_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, ActionMenu), "the menu")
            pressed_fast(app, "enter")  # rollback, target saas-backend prefilled
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmAction), "the preview")
            assert "saas-backend:9 -> saas-backend:8" in app.screen.preview
            typed_fast(app, "saas-backend\n")
            bar = app.query_one(PromptBar)
            await wait_until(
                pilot, lambda: "Mark mitigated" in bar.placeholder, "the offer", timeout=45
            )
            assert app.screen is app.screen_stack[0] and not bar.has_focus
            before = by_hand(db)
            # Typed fast while the offer is up: a note, and nothing but the note.
            typed_fast(app, f"n{NOTE}\n")
            await settle(pilot)
            assert by_hand(db) == [*before, ("note", NOTE)]
            assert "Mark mitigated" in bar.placeholder  # still offered, answered with y
            pressed_fast(app, "y")
            # The undo offer comes last, once the entry is written and read back: leaving
            # before then would close the journal under the key's handler.
            await wait_until(
                pilot, lambda: "ctrl+z undoes mitigation applied" in bar.placeholder, "the answer"
            )

    conn = sqlite3.connect(db)
    kinds = [k for (k,) in conn.execute("SELECT kind FROM events ORDER BY at, id")]
    action = conn.execute(
        "SELECT json_extract(data, '$.ok') FROM events WHERE kind = 'action'"
    ).fetchall()
    conn.close()
    assert action == [(1,)]
    assert "mitigated" in kinds
    assert kinds.index("action") < kinds.index("mitigated")


def by_hand(db) -> list[tuple[str, str]]:
    """The entries people wrote (the feeds' observations keep coming meanwhile)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT kind, text FROM events WHERE auto = 0 ORDER BY id").fetchall()
    finally:
        conn.close()
