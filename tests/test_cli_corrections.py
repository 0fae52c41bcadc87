"""`warroom retract` and `warroom reopen` through real child processes on a real SQLite file, and
what `show`, `report` and `export` make of a corrected timeline."""

from __future__ import annotations

import json
import re

from .conftest import Result
from .test_cli import declare


def one_line_error(result: Result, *needles: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def entry(result: Result) -> str:
    """The entry number `event` printed."""
    assert result.returncode == 0, result.stderr
    found = re.search(r"\(entry (\d+)\)", result.stdout)
    assert found, result.stdout
    return found.group(1)


def test_retract_an_entry(cli):
    declare(cli, "API down", "SEV-1", "--at", "2026-11-20T03:01:00Z")
    cli("event", "--at", "2026-11-20T03:04:00Z", "acknowledged", "mine")
    wrong = entry(cli("event", "--at", "2026-11-20T03:09:00Z", "mitigated", "rolled back worker"))

    done = cli("retract", wrong, "rolled", "back", "the", "wrong", "service")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"INC-1 entry {wrong} (mitigated) retracted at ")

    shown = json.loads(cli("show", "1", "--json").stdout)
    retracted = next(e for e in shown["events"] if str(e["id"]) == wrong)
    assert retracted["kind"] == "mitigated"  # kept, and marked
    assert retracted["retracted"]["by"] == "ana"
    assert retracted["retracted"]["reason"] == "rolled back the wrong service"
    assert shown["events"][-1]["kind"] == "retracted"
    assert shown["milestones"]["mitigated"] is None
    assert shown["phase"] == "Mitigate"

    text = cli("show", "1").stdout
    line = next(ln for ln in text.splitlines() if "rolled back worker" in ln)
    assert line.split()[:4] == [f"#{wrong}", "03:09:00", "RETRACTED", "mitigated:"]
    assert "[by ana at " in line and ": rolled back the wrong service]" in line


def test_retract_refuses_with_one_line(cli):
    declare(cli, "One", "SEV-2")
    note = entry(cli("event", "note", "first"))
    declare(cli, "Two", "SEV-3")
    other = entry(cli("event", "--incident", "2", "note", "on two"))
    retraction = entry(cli("retract", "--incident", "1", note, "typo"))

    one_line_error(cli("retract", "--incident", "1", "999", "x"), "no timeline entry 999")
    one_line_error(
        cli("retract", "--incident", "INC-1", other, "x"), f"entry {other} is on INC-2, not INC-1"
    )
    one_line_error(cli("retract", "--incident", "1", retraction, "x"), "is itself a retraction")
    one_line_error(cli("retract", "--incident", "1", note, "again"), "already retracted by ana")
    one_line_error(cli("retract", "--incident", "1", "banana", "x"), "bad entry number")
    one_line_error(cli("retract", note, "x"), "2 incidents are open")
    one_line_error(cli("retract", "--incident", "1", note, "   "), "empty reason")
    shown = json.loads(cli("show", "1", "--json").stdout)
    assert [e["kind"] for e in shown["events"]] == ["detected", "note", "retracted"]


def test_reopen(cli):
    declare(cli, "AI chat down", "SEV-2", "--at", "2026-11-20T03:00:00Z")
    cli("event", "--at", "2026-11-20T03:10:00Z", "acknowledged", "mine")
    cli("event", "--at", "2026-11-20T03:20:00Z", "mitigated", "switched provider")
    cli("event", "--at", "2026-11-20T03:40:00Z", "resolved", "green")

    refused = cli("event", "--incident", "1", "root_cause", "provider outage")
    one_line_error(refused, "INC-1 was resolved at 2026-11-20 03:40:00 UTC", "warroom reopen")
    assert cli("event", "--incident", "1", "note", "provider confirmed it").returncode == 0

    reopened = cli("reopen", "errors", "are", "back")
    assert reopened.returncode == 0, reopened.stderr
    assert reopened.stdout.startswith("INC-1 reopened at ") and "phase: Resolve" in reopened.stdout
    shown = json.loads(cli("show", "1", "--json").stdout)
    assert shown["status"] == "open" and shown["reopened"] == 1
    assert shown["events"][-1]["kind"] == "reopened"
    assert shown["events"][-1]["text"] == "errors are back"
    assert [i["status"] for i in json.loads(cli("list", "--json").stdout)] == ["open"]
    assert "status: open (reopened 1x)" in cli("show", "1").stdout

    one_line_error(cli("reopen", "--incident", "1", "again"), "INC-1 is open; nothing to reopen")
    one_line_error(cli("reopen", "--incident", "7", "x"), "no incident INC-7")
    assert cli("event", "root_cause", "provider outage").returncode == 0


def test_reopen_needs_a_resolved_incident(cli):
    one_line_error(cli("reopen", "x"), "no resolved incident to reopen")
    declare(cli, "Open one", "SEV-3")
    one_line_error(cli("reopen", "x"), "no resolved incident to reopen")


def test_report_and_export_after_corrections(cli):
    declare(cli, "API 500s", "SEV-1", "--at", "2026-11-20T03:00:00Z")
    cli("event", "--at", "2026-11-20T03:05:00Z", "acknowledged", "mine")
    wrong = entry(cli("event", "--at", "2026-11-20T03:06:00Z", "mitigated", "restarted redis"))
    cli("event", "--at", "2026-11-20T03:30:00Z", "mitigated", "rolled back saas-backend")
    cli("event", "--at", "2026-11-20T03:35:00Z", "root_cause", "bad deploy #bad-deploy")
    early = entry(cli("event", "--at", "2026-11-20T03:45:00Z", "resolved", "looked green"))
    assert cli("retract", "--incident", "1", wrong, "redis was fine").returncode == 0
    assert cli("reopen", "--incident", "1", "500s", "again").returncode == 0
    cli("event", "note", "second deploy was bad too")
    assert cli("event", "resolved", "green for 30 min").returncode == 0

    report = json.loads(cli("report", "--since", "3650d", "--json").stdout)
    sev1 = report["severities"]["SEV-1"]
    assert sev1["time_to_mitigate"]["median_s"] == 30 * 60  # not the retracted 6 minutes
    assert sev1["open"] == 0
    # Durations run to the final resolution, not the first one.
    assert sev1["time_to_resolve"]["median_s"] > 3 * 24 * 3600
    assert report["reopened"] == [
        {"incident": "INC-1", "title": "API 500s", "times": 1, "resolved": True}
    ]
    markdown = cli("report", "--since", "3650d").stdout
    assert "## Reopened\n" in markdown
    assert "- INC-1 API 500s — reopened 1x, resolved again\n" in markdown

    exported = cli("export", "1").stdout
    timeline = exported.split("## Timeline (UTC)\n")[1].split("\n## ")[0]
    assert "restarted redis" not in timeline
    assert "- 03:30 — Mitigation applied: rolled back saas-backend (ana)" in timeline
    assert "- 03:45 — Confirmed resolved: looked green (ana)" in timeline
    assert "Reopened: 500s again (ana)" in timeline
    mitigation = exported.split("## Mitigation\n")[1].split("\n## ")[0]
    assert mitigation.strip() == "rolled back saas-backend"
    assert "reopened 1x)" in exported.split("\n")[4]  # the Duration line
    corrections = exported.split("## Corrections\n")[1]
    assert "\n## " not in corrections  # the last section
    assert "- 03:06 — Mitigation applied: restarted redis (ana); retracted at " in corrections
    assert corrections.rstrip().endswith("by ana: redis was fine")
    assert early  # the first resolution stays on the timeline: it happened


def test_no_corrections_note_without_retractions(cli):
    declare(cli, "Quiet", "SEV-3")
    exported = cli("export", "1").stdout
    assert "Corrections" not in exported
    assert exported.endswith("_TODO: What we'd do differently next time._\n")
