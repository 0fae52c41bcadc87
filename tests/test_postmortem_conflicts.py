"""Two people, one post-mortem (issue 16): a save carries the version it was based on; a save
over someone else's newer one keeps both texts, and nothing typed is lost. Two war rooms on one
journal file, and one console driven by Pilot while another person saves."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.postmortem_versions import merge_text
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

from .conftest import eventually, rows
from .test_postmortem_editor import (
    app_for,
    area,
    declare_and_resolve,
    open_editor,
    stored_fields,
    type_into,
)


@pytest.fixture
async def two(db, clock):
    """ana's and bob's war rooms, each with its own connection to one journal file."""
    opened = [
        WarRoom(await SqliteJournal.open(db), author=who, runbook=load_runbook(), clock=clock)
        for who in ("ana", "bob")
    ]
    await opened[0].declare("Checkout down", Severity.SEV1)
    yield opened
    for room in opened:
        await room.close()


def saves(db: Path) -> list[tuple]:
    return rows(db, "SELECT saved_by, value, based_on, version FROM postmortem_saves ORDER BY id")


async def test_a_save_over_a_newer_version_keeps_both_texts(two, db, clock):
    ana, bob = two
    # Both open the editor: nobody saved the summary yet (version 0).
    assert await ana.postmortem_versions(1) == {}
    first = await ana.save_postmortem_field(1, "summary", "Checkout 500s.", based_on=0)
    assert first.version == 1 and first.conflict is None
    clock.advance(seconds=30)

    # bob typed from version 0 too: his save does not replace ana's.
    late = await bob.save_postmortem_field(1, "summary", "Payments timed out.", based_on=0)
    assert late.conflict is not None and late.version == 1
    assert (late.conflict.value, late.conflict.by) == ("Checkout 500s.", "ana")
    assert (await bob.incident(1)).postmortem["summary"] == "Checkout 500s."
    # ... and his text is in the journal all the same.
    assert saves(db) == [
        ("ana", "Checkout 500s.", 0, 1),
        ("bob", "Payments timed out.", 0, None),
    ]

    # He merges, based on the version he was shown: saved.
    merged = merge_text("Payments timed out.", late.conflict)
    assert merged == (
        "Payments timed out.\n"
        "<<<<<<< ana saved this at 03:01:00 UTC while you typed: merge, then delete the marks\n"
        "Checkout 500s.\n"
        ">>>>>>> end of ana's text"
    )
    done = await bob.save_postmortem_field(
        1, "summary", "Checkout 500s: payments timed out.", based_on=late.version
    )
    assert done.version == 2 and done.conflict is None
    versions = await ana.postmortem_versions(1)
    assert (versions["summary"].version, versions["summary"].by) == (2, "bob")

    # ana's next save, still based on her version 1, is now the one kept aside.
    again = await ana.save_postmortem_field(1, "summary", "Checkout 500s (EU).", based_on=1)
    assert again.conflict is not None and again.conflict.by == "bob"
    assert stored_fields(db) == {"summary": "Checkout 500s: payments timed out."}


async def test_the_same_text_and_other_fields_are_no_conflict(two):
    ana, bob = two
    await ana.save_postmortem_field(1, "summary", "Checkout 500s.", based_on=0)
    same = await bob.save_postmortem_field(1, "summary", "Checkout 500s.", based_on=0)
    assert same.conflict is None and same.version == 2
    other = await bob.save_postmortem_field(1, "fix", "Pool size back to 50.", based_on=0)
    assert other.conflict is None and other.version == 1
    # A save outside the editor (no version) still moves the version on.
    await ana.set_postmortem_field(1, "fix", "Pool size 50, alarm added.")
    late = await bob.save_postmortem_field(1, "fix", "Pool size 50.", based_on=1)
    assert late.conflict is not None and late.conflict.value == "Pool size 50, alarm added."


async def test_the_console_shows_the_other_text_beside_yours(tmp_path, db, clock, notices):
    incident = await declare_and_resolve(db, clock)
    app = app_for(tmp_path, db, clock)
    bob = WarRoom(await SqliteJournal.open(db), author="bob", runbook=load_runbook(), clock=clock)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await open_editor(app, pilot, incident, tmp_path / "out")
            screen.autosave.delay = 3600  # saved by ctrl+s here, not by the wall clock
            await type_into(pilot, screen, "summary", "Deploy broke checkout.")
            # bob saves the same field from his console while ana is still typing.
            await bob.save_postmortem_field(
                incident, "summary", "Rev 9 dropped a column.", based_on=0
            )
            await pilot.press("ctrl+s")
            await pilot.pause()
            text = area(screen, "summary").text
            assert text.startswith("Deploy broke checkout.\n<<<<<<< bob saved this at ")
            assert text.endswith("\nRev 9 dropped a column.\n>>>>>>> end of bob's text")
            assert "Summary NOT saved" in screen.saved_label
            assert any(
                "bob saved it while you typed: both texts are in the field" in n.message
                for n in notices
            )
            assert stored_fields(db)["summary"] == "Rev 9 dropped a column."  # bob's stays
            # ana merges (here: keeps both as they are) and saves: stored, nothing lost.
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert stored_fields(db)["summary"] == text
            assert screen.saved_label.startswith("saved ")
            # A field nobody typed in here follows the other console's saves.
            await bob.save_postmortem_field(incident, "fix", "Column restored.", based_on=0)
            fix = area(screen, "fix")
            await eventually(lambda: fix.text == "Column restored.", "bob's fix", pilot=pilot)
            await type_into(pilot, screen, "fix", " Rev 10.")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert stored_fields(db)["fix"] == "Column restored. Rev 10."  # no conflict
    finally:
        await bob.close()
    assert [s[:2] for s in saves(db)] == [
        ("bob", "Rev 9 dropped a column."),
        ("ana", "Deploy broke checkout."),
        ("ana", text),
        ("bob", "Column restored."),
        ("ana", "Column restored. Rev 10."),
    ]
