"""`warroom action-items add|done`: action items from a script, through real subprocesses, with
the editor's checks."""

from __future__ import annotations

import json

from warroom.model import Kind
from warroom.severity import Severity


def items(cli) -> list[dict]:
    result = cli("action-items", "list", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


async def test_add_to_the_open_incident_and_mark_it_done(cli, room):
    incident = await room.declare("API returns 500s after deploy", Severity.SEV1)
    added = cli(
        "action-items", "add", "Alarm", "on", "5xx", "--owner", "bo", "--deadline", "2999-12-31"
    )
    assert added.returncode == 0, added.stderr
    assert added.stderr == ""  # an owner and a future deadline: nothing to warn about
    [row] = items(cli)
    assert (row["incident"], row["text"], row["owner"], row["deadline"], row["done"]) == (
        f"INC-{incident}",
        "Alarm on 5xx",
        "bo",
        "2999-12-31",
        False,
    )
    assert added.stdout.startswith(f"INC-{incident} action item {row['item']}: Alarm on 5xx")

    done = cli("action-items", "done", str(row["item"]))
    assert done.returncode == 0, done.stderr
    assert "done" in done.stdout
    assert items(cli)[0]["done"] is True
    again = cli("action-items", "done", str(row["item"]))
    assert again.returncode == 0 and "done already" in again.stdout


async def test_add_goes_to_the_post_mortem_to_write_and_warns_like_the_editor(cli, room):
    first = await room.declare("Orders not saving", Severity.SEV2)
    await room.log(Kind.RESOLVED, "fixed", incident_id=first)
    added = cli("action-items", "add", "Retry order writes", "--deadline", "2020-01-15")
    assert added.returncode == 0, added.stderr
    assert "no owner" in added.stderr and "2020-01-15 is already past" in added.stderr
    assert "saved anyway" in added.stderr
    [row] = items(cli)
    assert row["incident"] == f"INC-{first}" and row["owner"] == "" and row["overdue"] is True


async def test_add_refuses_what_the_editor_refuses(cli, room):
    await room.declare("Orders not saving", Severity.SEV2)
    for deadline, said in (("2026-02-30", "not a real date"), ("next week", "YYYY-MM-DD")):
        result = cli("action-items", "add", "Retry", "--deadline", deadline)
        assert result.returncode == 2
        assert said in result.stderr
    assert cli("action-items", "add", "   ").returncode == 2
    unknown = cli("action-items", "done", "99")
    assert unknown.returncode == 2 and "no action item 99" in unknown.stderr
    assert items(cli) == []


async def test_add_without_an_incident_to_choose_says_how(cli, room):
    assert "--incident" in cli("action-items", "add", "Retry").stderr
    a = await room.declare("One", Severity.SEV2)
    b = await room.declare("Two", Severity.SEV2)
    both = cli("action-items", "add", "Retry")
    assert both.returncode == 2 and "--incident" in both.stderr
    chosen = cli("action-items", "add", "Retry", "--incident", f"INC-{b}")
    assert chosen.returncode == 0, chosen.stderr
    assert [r["incident"] for r in items(cli)] == [f"INC-{b}"]
    assert a
