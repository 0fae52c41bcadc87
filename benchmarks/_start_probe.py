"""The real console, started as `python -m warroom` would be, that notes when its first full frame
is on screen and then quits. Run by bench_console_start.py inside a pseudo-terminal.

    python benchmarks/_start_probe.py OUT_FILE [warroom arguments...]

OUT_FILE gets `name time.monotonic()` lines (CLOCK_MONOTONIC, comparable across processes):
`script` when this file starts running (interpreter up), `imported` once warroom.cli and the
console module are imported, `frame` after the first screen refresh that shows the incident
header (INC-...) and a populated footer, both handed to the terminal.

Nothing in warroom/ is changed: the console class is subclassed here and put in place of the
one `run_console` builds.
"""

from __future__ import annotations

import time

SCRIPT = time.monotonic()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warroom.cli import main  # noqa: E402
from warroom.ui import app as console  # noqa: E402  (cli imports it lazily: same cost)

IMPORTED = time.monotonic()


class FirstFrameProbe(console.WarRoomApp):
    """Arms after the incident is loaded; the check runs after the next refresh and re-arms until
    the header and footer are both drawn."""

    # Textual reads CSS_PATH relative to the file of the class: keep the console's own sheet.
    CSS_PATH = str(Path(console.__file__).parent / console.WarRoomApp.CSS_PATH)
    out_file = Path(sys.argv[1])
    armed = False

    async def show_incident(self, incident_id: int) -> None:
        await super().show_incident(incident_id)
        if not self.armed:
            self.armed = True
            self.call_after_refresh(self._check_frame)

    def _check_frame(self) -> None:
        now = time.monotonic()
        header = str(self.query_one(console.IncidentHeader).render())
        footer = str(self.query_one(console.KeyBar).render())
        if "INC-" not in header or "Quit" not in footer:
            self.call_after_refresh(self._check_frame)
            return
        self.out_file.write_text(f"script {SCRIPT}\nimported {IMPORTED}\nframe {now}\n")
        self.exit()


console.WarRoomApp = FirstFrameProbe  # type: ignore[misc]
raise SystemExit(main(sys.argv[2:]))
