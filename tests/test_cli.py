"""The CLI through real subprocesses against a real SQLite file."""

from __future__ import annotations

import json
import os
import stat

from warroom import __version__
from warroom.model import LOGGABLE_KINDS


def declare(cli, title="API returns 500s after deploy", severity="SEV-1", *extra):
    result = cli("declare", "--title", title, "--severity", severity, *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_version(cli):
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"warroom {__version__}"


def test_declare_prints_id_and_creates_private_journal(cli, db):
    assert declare(cli) == "INC-1"
    assert declare(cli, "Orders not saving", "sev2") == "INC-2"
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(db.parent).st_mode) == 0o700


def test_every_kind_lands_on_the_timeline_in_time_order(cli):
    declare(cli, "API down", "SEV-1", "--at", "2026-11-20T03:01:00Z", "--note", "alarm api-5xx")
    # Recorded after the fact: the root cause was found at 03:20, typed now.
    late = cli(
        "event", "--incident", "1", "--at", "2026-11-20T03:20:00Z", "root_cause", "bad deploy"
    )
    assert late.returncode == 0, late.stderr
    for kind in LOGGABLE_KINDS:  # resolved last: a resolved incident takes no more milestones
        result = cli("event", kind.value, "entry", "for", kind.value)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"INC-1 {kind.value} at ")

    shown = json.loads(cli("show", "INC-1", "--json").stdout)
    assert shown["id"] == "INC-1"
    assert shown["title"] == "API down"
    assert shown["severity"] == "SEV-1"
    kinds = [e["kind"] for e in shown["events"]]
    assert sorted(kinds[2:]) == sorted([*(k.value for k in LOGGABLE_KINDS)])
    assert kinds[:2] == ["detected", "root_cause"]  # 03:01, 03:20, then the rest (now)
    times = [e["at"] for e in shown["events"]]
    assert times == sorted(times)
    assert shown["events"][0]["at"] == "2026-11-20T03:01:00Z"
    assert shown["events"][0]["text"] == "alarm api-5xx"
    assert shown["events"][1]["at"] == "2026-11-20T03:20:00Z"
    assert {e["author"] for e in shown["events"]} == {"ana"}
    assert shown["status"] == "resolved"
    assert shown["milestones"]["root_cause"] == "2026-11-20T03:20:00Z"


def test_show_text_and_list(cli):
    declare(cli, "AI chat down", "SEV-2")
    cli("event", "acknowledged", "looking")
    declare(cli, "Dashboard slow", "SEV-3")

    listing = cli("list")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split()[:3] == ["ID", "SEV", "STATUS"]
    assert "INC-1" in lines[1] and "SEV-2" in lines[1] and "AI chat down" in lines[1]
    assert "INC-2" in lines[2] and "open" in lines[2]

    data = json.loads(cli("list", "--json").stdout)
    assert [(i["id"], i["severity"], i["status"]) for i in data] == [
        ("INC-1", "SEV-2", "open"),
        ("INC-2", "SEV-3", "open"),
    ]
    assert data[0]["acknowledged_at"] is not None

    shown = cli("show", "1")
    assert shown.returncode == 0
    assert "INC-1  SEV-2  AI chat down" in shown.stdout
    assert "phase: Mitigate" in shown.stdout
    assert "acknowledged  looking  (ana)" in shown.stdout


def test_list_marks_post_mortem_due_after_resolution(cli):
    declare(cli, "Auth bypass", "SEV-1")
    cli("event", "resolved", "client disabled")
    line = cli("list").stdout.splitlines()[1]
    assert "resolved" in line and "[post-mortem due" in line
    assert json.loads(cli("list", "--json").stdout)[0]["postmortem_due_at"] is not None


def test_event_needs_exactly_one_open_incident(cli):
    none = cli("event", "note", "hello")
    assert none.returncode == 2
    assert "no open incident" in none.stderr

    declare(cli, "One")
    declare(cli, "Two")
    several = cli("event", "note", "hello")
    assert several.returncode == 2
    assert "2 incidents are open" in several.stderr and "INC-1" in several.stderr
    assert "--incident" in several.stderr

    chosen = cli("event", "--incident", "INC-2", "note", "hello")
    assert chosen.returncode == 0 and chosen.stdout.startswith("INC-2 note")


def test_bad_input_is_refused_clearly(cli):
    declare(cli)
    cases = {
        ("show", "INC-42"): "no incident INC-42",
        ("show", "banana"): "bad incident id",
        ("event", "--incident", "9", "note", "x"): "no incident INC-9",
        ("event", "panic", "x"): "unknown kind 'panic'",
        ("event", "note", "   "): "empty text",
        ("event", "--at", "yesterday", "note", "x"): "bad time",
        ("event", "--at", "2099-01-01T00:00:00Z", "note", "x"): "in the future",
        ("declare", "--title", "x", "--severity", "SEV-4"): "unknown severity",
        ("declare", "--title", "", "--severity", "SEV-1"): "empty title",
        ("export", "7"): "no incident INC-7",
    }
    for args, message in cases.items():
        result = cli(*args)
        assert result.returncode == 2, (args, result)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    # Nothing bad was written.
    events = json.loads(cli("show", "1", "--json").stdout)["events"]
    assert [e["kind"] for e in events] == ["detected"]


def test_severity_change_is_logged(cli):
    declare(cli, "Orders not saving", "SEV-2")
    changed = cli("severity", "SEV-1", "tenant", "data", "exposed")
    assert changed.returncode == 0
    same = cli("severity", "SEV-1")
    assert "already SEV-1" in same.stdout
    shown = json.loads(cli("show", "1", "--json").stdout)
    assert shown["severity"] == "SEV-1"
    assert shown["events"][-1]["kind"] == "severity"
    assert shown["events"][-1]["text"] == "SEV-2 -> SEV-1: tenant data exposed"


def test_export_to_stdout_and_file(cli, tmp_path):
    declare(cli, "API returns 500s after deploy", "SEV-1", "--at", "2026-11-20T03:01:00Z")
    cli("event", "--at", "2026-11-20T03:04:00Z", "acknowledged", "on it")
    cli("event", "--at", "2026-11-20T04:31:00Z", "resolved", "green again")

    out = cli("export", "INC-1")
    assert out.returncode == 0
    assert out.stdout.startswith("# Incident Post-Mortem: API returns 500s after deploy\n")
    assert "**Duration**: 01:30 (from detection to resolution)" in out.stdout
    assert "- 03:04 — On-call acknowledged: on it (ana)" in out.stdout
    assert json.loads(cli("show", "1", "--json").stdout)["postmortem"]["exported_at"] is None

    target = tmp_path / "pm" / "INC-1.md"
    written = cli("export", "1", "-o", str(target))
    assert written.returncode == 0, written.stderr
    assert target.read_text() == out.stdout
    assert json.loads(cli("show", "1", "--json").stdout)["postmortem"]["exported_at"]


def test_export_with_a_team_template(cli, tmp_path):
    declare(cli, "Redis down", "SEV-2")
    template = tmp_path / "ours.md.j2"
    template.write_text("{{ id }} {{ title }} {{ severity }}\n")
    result = cli("export", "1", "--template", str(template))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "INC-1 Redis down SEV-2\n"

    template.write_text("{{ no_such_field }}\n")
    broken = cli("export", "1", "--template", str(template))
    assert broken.returncode == 2
    assert "no_such_field" in broken.stderr and "Traceback" not in broken.stderr


def test_db_flag_wins_over_environment(cli, tmp_path):
    other = tmp_path / "other.db"
    assert cli("declare", "--db", str(other), "--title", "x", "--severity", "3").stdout == "INC-1\n"
    assert json.loads(cli("list", "--json").stdout) == []
    assert len(json.loads(cli("list", "--db", str(other), "--json").stdout)) == 1


def test_check_reports_where_things_are(cli, db):
    result = cli("check")
    assert result.returncode == 0, result.stderr
    assert "built-in defaults" in result.stdout
    assert str(db) in result.stdout
    assert "author:  ana" in result.stdout
    assert "13 steps" in result.stdout
