"""People in the war room: roles handed over on the timeline and listed in the post-mortem,
presence from heartbeats beside the journal that expire, names asked on a shared login."""

from __future__ import annotations

import json

from warroom.config import Config, JournalConfig, UserConfig, load_config
from warroom.errors import Refused
from warroom.model import Kind
from warroom.presence import EXPIRE, Presence, presence_dir
from warroom.roles import COMMANDER, COMMS, roles_of
from warroom.service import open_war_room
from warroom.severity import Severity

from .conftest import app_for, console_config, declare, eventually


async def test_the_declarer_commands_until_a_hand_over_and_the_post_mortem_lists_every_holder(
    room, clock
):
    incident_id = await room.declare("API 500s", Severity.SEV1)
    assert roles_of(await room.incident(incident_id)).commander == "ana"
    clock.advance(minutes=24)
    handed = await room.assign_role(COMMANDER, "bo")
    assert handed.kind is Kind.ROLE
    assert handed.text == "bo takes over as incident commander from ana"
    room.author = "bo"
    clock.advance(minutes=1)
    await room.assign_role(COMMS, "cy")
    try:
        await room.assign_role(COMMANDER, "bo")
    except Refused as exc:
        assert str(exc) == "bo is already the incident commander of INC-1"
    else:
        raise AssertionError("a hand-over to the holder was logged")

    text = await room.render_postmortem(incident_id)
    assert "**Author**: ana\\\n" in text
    assert "**Incident commander**: ana, then bo from 03:25\\\n" in text
    assert "**Communications lead**: cy from 03:26\n" in text
    assert "- 03:25 — Role handed over: bo takes over as incident commander from ana (ana)" in text

    # Withdrawn, a hand-over no longer holds: the role goes back.
    await room.retract(handed.id, "wrong person")
    roles = roles_of(await room.incident(incident_id))
    assert (roles.commander, roles.comms) == ("ana", "cy")


def test_role_on_the_command_line(cli):
    assert cli("declare", "--title", "API 500s", "--severity", "SEV-1").returncode == 0
    handed = cli("role", "commander", "bo")
    assert handed.returncode == 0, handed.stderr
    assert handed.stdout == "INC-1: bo takes over as incident commander from ana\n"
    assert cli("role", "--incident", "INC-1", "comms", "cy").stdout == (
        "INC-1: cy is the communications lead\n"
    )
    again = cli("role", "ic", "bo")
    assert again.stdout == "bo is already the incident commander of INC-1; nothing logged\n"
    shown = json.loads(cli("show", "1", "--json").stdout)
    assert shown["roles"] == {"commander": "bo", "comms": "cy"}
    assert [e["kind"] for e in shown["events"]] == ["detected", "role", "role"]
    wrong = cli("role", "boss", "bo")
    assert wrong.returncode == 2 and "unknown role 'boss'; use commander or comms" in wrong.stderr


async def test_presence_counts_live_consoles_and_expires_a_dead_ones(db, clock):
    ana = await open_war_room(Config(user=UserConfig(name="ana")), db, clock=clock)
    bo = await open_war_room(Config(user=UserConfig(name="bo")), db, clock=clock)
    try:
        incident_id = await ana.declare("API 500s", Severity.SEV1)
        await ana.heartbeat(incident_id)
        await bo.heartbeat(incident_id)
        assert await ana.here(incident_id) == ["ana", "bo"]
        assert await bo.here(incident_id + 1) == []  # another incident: nobody

        # bo's console dies (no more beats): gone once its last beat is EXPIRE old.
        clock.advance(seconds=EXPIRE.total_seconds() - 1)
        await ana.heartbeat(incident_id)
        assert await ana.here(incident_id) == ["ana", "bo"]
        clock.advance(seconds=2)
        assert await ana.here(incident_id) == ["ana"]

        # Presence is no timeline entry.
        assert [e.kind for e in (await ana.incident(incident_id)).events] == [Kind.DETECTED]
    finally:
        await ana.close()
        await bo.close()


def test_a_console_that_quits_leaves_at_once(db, clock):
    db.parent.mkdir(mode=0o700)
    here, there = Presence(db, clock=clock), Presence(db, clock=clock)
    here.beat("ana", 1)
    there.beat("bo", 1)
    there.leave()
    assert here.here(1) == ["ana"]
    assert presence_dir(db).stat().st_mode & 0o777 == 0o700  # private like the journal


async def test_two_consoles_show_who_is_here_and_who_is_in_charge(tmp_path, db, clock):
    from warroom.ui.panels import IncidentHeader

    first = app_for(tmp_path, db, clock, "ana")
    second = app_for(tmp_path, db, clock, "bo")

    def header(app) -> str:
        return str(app.query_one(IncidentHeader).render())

    async with first.run_test(size=(200, 48)) as one:
        await declare(one)
        assert "here:" not in header(first)  # alone: nothing to add to "you: ana"
        async with second.run_test(size=(200, 48)) as two:
            await eventually(lambda: "IC ana · 2 here: ana bo" in header(first), "bo", pilot=one)
            await two.press("l")
            await two.press(*"comms bo", "enter")
            await eventually(
                lambda: "IC ana · comms bo · 2 here: ana bo" in header(first), "roles", pilot=one
            )
        await eventually(lambda: "here:" not in header(first), "bo gone", pilot=one)
        assert "IC ana · comms bo" in header(first)  # handed over: shown even alone
        entry = first.incident.events[-1] if first.incident else None
        assert entry is not None and (entry.kind, entry.author) == (Kind.ROLE, "bo")


async def test_a_shared_login_is_asked_who_is_typing(tmp_path, db, clock):
    config = Config(
        user=UserConfig(name="ec2-user", ask=True),
        journal=JournalConfig(postmortem_dir=str(tmp_path / "postmortems")),
    )
    app = app_for(tmp_path, db, clock, config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        bar = app.query_one("#prompt-bar")
        assert "Who are you? This login (ec2-user) is shared" in str(bar.placeholder)
        await pilot.press(*"dee", "enter")
        await declare(pilot)
        assert app.incident is not None
        assert app.incident.events[0].author == "dee"
        assert "you: dee" in str(app.screen.query_one("#incident-header").render())


def test_ask_is_a_user_setting(tmp_path):
    path = tmp_path / "warroom.toml"
    path.write_text("[user]\nask = true\n")
    assert load_config(str(path)).user.ask is True
    assert console_config(tmp_path).user.ask is False
