"""The post-mortem editor (Textual Pilot) on an incident with recorded telemetry: the impact
fields prefilled from it, saying so, and the preview drawing the chart as text."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Clock, eventually
from tests.test_chart import bad_deploy
from tests.test_postmortem_editor import app_for, area, drawn
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.store import SqliteJournal
from warroom.ui.postmortem import PostmortemScreen


async def test_the_editor_shows_the_telemetrys_figures_and_chart(
    tmp_path: Path, db: Path, clock: Clock
) -> None:
    journal = await SqliteJournal.open(db)
    async with WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock) as room:
        incident = await bad_deploy(room, clock)
    app = app_for(tmp_path, db, clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await eventually(lambda: app.room, "the journal open", pilot=pilot)
        assert app.room is not None
        screen = PostmortemScreen(app.room, incident, directory=tmp_path / "out")
        app.push_screen(screen)
        await eventually(lambda: screen.preview_text, "the editor loaded", pilot=pilot)
        duration = area(screen, "impact_duration")
        assert duration.text == "8 minutes"
        assert duration.border_subtitle == "from the failing health checks (telemetry)"
        users = area(screen, "users_affected")
        assert users.text == "2 tenants (acme, globex)"
        await eventually(lambda: "p95 ms" in "\n".join(drawn(screen)), "the chart", pilot=pilot)
        shown = "\n".join(drawn(screen))
        assert "M 03:10:00 mitigated" in shown  # the file's SVG, drawn as text in the terminal
        assert "![" not in shown and ".svg" not in shown
        assert "](2026-11-26-INC-1-api-500s-after-deploy.svg)" in screen.preview_text
