"""The post-mortem's chart and impact figures from recorded telemetry, against a real journal:
the SVG beside the Markdown (markers at the journal's times, byte-identical on re-export), the
text chart of `show`, and `show --json`'s series."""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Clock
from tests.test_recorder import T0, errors, every, health
from warroom.chart_svg import LEFT, RIGHT
from warroom.commands import cmd_show
from warroom.model import Kind
from warroom.recorder import Recorder
from warroom.service import WarRoom
from warroom.severity import Severity

FAILS_FROM = T0 + timedelta(minutes=1, seconds=10)
FAILS_UNTIL = T0 + timedelta(minutes=9, seconds=40)  # the last failing check


async def bad_deploy(room: WarRoom, clock: Clock) -> int:
    """Healthy, a deploy, 500s and ERROR lines naming two tenants, a rollback, healthy again;
    the milestones logged along the way."""
    recorder = Recorder(clock=clock)
    incident_id = 0
    for at in every(T0 - timedelta(minutes=5), T0 + timedelta(minutes=14), timedelta(seconds=10)):
        clock.now = at
        failing = FAILS_FROM <= at <= FAILS_UNTIL
        recorder.see(health(at, ok=not failing, latency=2.0 if failing else 0.08))
        if failing:
            recorder.see(errors(at, "acme", "globex", "acme"))
        if at == T0 + timedelta(minutes=3):
            incident_id = await room.declare("API 500s after deploy", Severity.SEV1)
            await room.observe(
                incident_id,
                "deployment_started:saas-backend",
                "saas-backend deployment started: saas-backend:9",
                at=T0 + timedelta(minutes=1),
            )
        if at == T0 + timedelta(minutes=4):
            await room.log(Kind.ACKNOWLEDGED, "on it", incident_id=incident_id)
        if at == T0 + timedelta(minutes=10):
            await room.log(Kind.MITIGATED, "rolled back to rev 8", incident_id=incident_id)
        await recorder.flush(room)
    await room.log(Kind.RESOLVED, "healthy", incident_id=incident_id)
    return incident_id


def marker_times(svg: str) -> dict[str, str]:
    return dict(re.findall(r'<line class="mark (\w+)"[^>]* data-at="([^"]+)"', svg))


def x_of(svg: str, at: datetime) -> float:
    start = datetime.fromisoformat(re.search(r'data-start="([^"]+)"', svg)[1])  # type: ignore[index]
    end = datetime.fromisoformat(re.search(r'data-end="([^"]+)"', svg)[1])  # type: ignore[index]
    return LEFT + (RIGHT - LEFT) * (at - start) / (end - start)


async def test_the_export_takes_impact_from_telemetry_and_draws_it(
    room: WarRoom, clock: Clock, tmp_path: Path
) -> None:
    incident_id = await bad_deploy(room, clock)
    incident = await room.incident(incident_id)
    path = await room.export_postmortem(incident_id, directory=tmp_path)
    text = path.read_text()
    chart = path.with_suffix(".svg")
    svg = chart.read_text()

    assert "- Duration of impact: 8 minutes (from first to last failing health check, " in text
    assert "03:01:10 to 03:09:40 UTC, recorded telemetry)" in text
    assert (
        "- Users affected: 2 tenants (acme, globex) "
        "(from tenants named in ERROR lines, recorded telemetry)" in text
    )
    assert f"]({chart.name})" in text
    # The markers sit at the journal's times.
    m = incident.milestones
    assert marker_times(svg) == {
        "deploy": "2026-11-26T03:01:00.000000Z",
        "detected": m.detected.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),  # type: ignore[union-attr]
        "acknowledged": "2026-11-26T03:04:00.000000Z",
        "mitigated": "2026-11-26T03:10:00.000000Z",
        "resolved": m.resolved.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),  # type: ignore[union-attr]
    }
    for kind, at in marker_times(svg).items():
        x = re.search(rf'<line class="mark {kind}" x1="([\d.]+)"', svg)[1]  # type: ignore[index]
        assert float(x) == pytest.approx(x_of(svg, datetime.fromisoformat(at)), abs=0.06)
    assert "prefers-color-scheme: dark" in svg  # readable on a dark page too

    # Exported again, nothing changed: the same bytes, both files.
    before = path.read_bytes(), chart.read_bytes()
    await room.export_postmortem(incident_id, directory=tmp_path)
    assert (path.read_bytes(), chart.read_bytes()) == before
    assert await room.postmortem_outdated(incident_id, tmp_path) == ""


async def test_typed_figures_win_and_stdout_embeds_no_chart(room: WarRoom, clock: Clock) -> None:
    incident_id = await bad_deploy(room, clock)
    await room.set_postmortem_field(incident_id, "impact_duration", "about 9 minutes")
    text = await room.render_postmortem(incident_id)
    assert "- Duration of impact: about 9 minutes\n" in text
    assert "![" not in text  # no file beside stdout to show


async def test_show_has_the_text_chart_and_json_the_series(
    room: WarRoom, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    incident_id = await bad_deploy(room, clock)
    await cmd_show(room, argparse.Namespace(incident=incident_id, json=False))
    shown = capsys.readouterr().out
    chart = shown.split("Telemetry")[1].splitlines()
    failing = next(line for line in chart if line.strip().startswith("failing"))
    assert "x" in failing and failing.strip().endswith("·")  # healthy again at the end
    marks = next(line for line in chart if line.strip().startswith("marks"))
    assert [c for c in marks.split("marks", 1)[1] if c.strip()] == ["d", "D", "A", "M", "R"]
    assert "  M 03:10:00 mitigated" in shown

    await cmd_show(room, argparse.Namespace(incident=incident_id, json=True))
    telemetry = json.loads(capsys.readouterr().out)["telemetry"]
    assert telemetry["impact"]["first_failing"] == "2026-11-26T03:01:10.000000Z"
    assert telemetry["impact"]["last_failing"] == "2026-11-26T03:09:40.000000Z"
    points = telemetry["points"]
    # From the feeds' first sample (within the 15-minute lead-in) to the resolution.
    assert points[0]["start"] == "2026-11-26T02:55:00.000000Z"
    assert any(p["failed"] for p in points) and not points[-1]["failed"]


async def test_the_editor_preview_shows_the_text_chart_where_the_file_embeds_the_svg(
    room: WarRoom, clock: Clock, tmp_path: Path
) -> None:
    incident_id = await bad_deploy(room, clock)
    file_text, shown = await room.postmortem_preview(incident_id)
    path = await room.export_postmortem(incident_id, directory=tmp_path)
    assert file_text == path.read_text()  # the preview is the export itself
    assert "![" not in shown
    block = shown.split("```text\n", 1)[1].split("```", 1)[0]
    assert block.splitlines()[0].startswith("p95 ms")
    assert "M 03:10:00 mitigated" in block


async def test_a_mitigation_run_is_marked_and_a_refused_one_is_not(
    room: WarRoom, clock: Clock
) -> None:
    from warroom.chart import markers

    incident_id = await room.declare("API 500s", Severity.SEV1)
    for ok in (True, False):
        at = clock.advance(minutes=1)
        await room.journal.append_event(
            incident_id,
            kind=Kind.ACTION,
            text=f"rollback saas-backend ({'ok' if ok else 'refused'})",
            author="ana",
            at=at,
            recorded_at=at,
            data={"ok": ok},
        )
    found = [(m.kind, m.label) for m in markers(await room.incident(incident_id))]
    assert found == [("detected", "detected"), ("action", "rollback saas-backend (ok)")]
