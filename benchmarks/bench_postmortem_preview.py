"""The post-mortem editor's preview redrawn after one field change, for a 200-entry incident.

Renders the preview of a real journal's incident in a headless Textual app sized like the editor,
then saves the summary again and again and times the redraw until the screen has been laid out
and painted: Textual's Markdown widget updated in full (what the editor first did) against
`ExportPreview.show` (Rich renders only the blocks whose text changed, into one widget). Prints
the medians of wall and CPU time, and of opening: the first draw in a fresh app.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timeline import fill_timeline
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Markdown

from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal
from warroom.ui.postmortem.preview import ExportPreview

EVENTS = 200
RUNS = 5
KINDS = (Kind.NOTE, Kind.OBSERVATION, Kind.ACTION)


async def previews(db: Path) -> list[str]:
    """The terminal's preview text after each of RUNS + 1 summary saves."""
    start_at = datetime(2026, 11, 26, 3, 1, tzinfo=UTC)
    journal = await SqliteJournal.open(db)
    room = WarRoom(journal, author="bench", runbook=load_runbook())
    incident_id = await room.declare("Benchmark", Severity.SEV1, detected_at=start_at)
    await fill_timeline(
        journal,
        incident_id,
        EVENTS - 1,
        start=start_at,
        every=timedelta(seconds=20),
        kind_of=lambda n: KINDS[n % len(KINDS)],
    )
    texts = []
    version = 0
    for n in range(RUNS + 1):
        saved = await room.save_postmortem_field(
            incident_id, "summary", f"Summary, draft {n}.", based_on=version
        )
        version = saved.version
        texts.append((await room.postmortem_preview(incident_id))[1])
    await room.close()
    return texts


class Preview(App[None]):
    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield self.widget


async def timed(widget: Widget, draw: Callable[[str], Awaitable[None]], texts: list[str]):
    """CPU seconds of the first draw, then wall and CPU seconds of each redraw after it, until
    the screen is laid out and painted."""
    app = Preview(widget)
    walls, cpus = [], []
    async with app.run_test(size=(80, 46)) as pilot:
        cpu = time.process_time()
        await draw(texts[0])
        await pilot.pause()
        first = time.process_time() - cpu
        for text in texts[1:]:
            wall, cpu = time.perf_counter(), time.process_time()
            await draw(text)
            await pilot.pause()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return first, statistics.median(walls), statistics.median(cpus)


async def main() -> None:
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        texts = await previews(Path(tmp) / "preview.db")
    markdown = Markdown()
    preview = ExportPreview()

    async def show(text: str) -> None:
        preview.show(text)

    results = {
        "Textual Markdown": await timed(markdown, markdown.update, texts),
        "ExportPreview": await timed(preview, show, texts),
    }
    print(f"post-mortem preview, {EVENTS} entries, one field changed, {RUNS} runs (medians)")
    for name, (first, wall, cpu) in results.items():
        print(
            f"  {name:<17} first draw {first * 1000:5.0f} ms CPU;"
            f" redraw {wall * 1000:5.0f} ms wall {cpu * 1000:5.0f} ms CPU"
        )


if __name__ == "__main__":
    asyncio.run(main())
