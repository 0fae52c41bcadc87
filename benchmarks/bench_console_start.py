"""Console start: process spawn to the first full frame, against `python -c "import textual.app"`.

Budget (DESIGN.md, "Budgets"): start to first full frame at most 2x the time of
`python -c "import textual.app"` (spawn to exit) on the same box.

The console runs in a pseudo-terminal of 160x48 (COLUMNS and LINES unset, so Textual asks the
terminal), on a journal with one open incident, as a user with no config (HOME and the XDG
directories in a temporary directory). Three series, interleaved run by run:

- baseline: `python -c "import textual.app"`, spawn to exit;
- console: `python -m warroom --db DB`, spawn to the moment the terminal has received both the
  incident header (`INC-1`) and the footer (`Quit`); then `q` is typed to quit it;
- probe: the same console started through benchmarks/_start_probe.py, which notes in-process
  when the first refresh showing header and footer was handed to the terminal (and, for a
  breakdown, when the interpreter was up and when the imports were done).

Every time is CLOCK_MONOTONIC (time.monotonic), which is the same clock in every process. The
children cache their bytecode in the temporary directory (PYTHONPYCACHEPREFIX) and one unmeasured
run per series fills it, so both sides start as an installed package would, with .pyc files.
Prints medians and the ratio; run with `make bench` or directly.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HERE = Path(__file__).resolve().parent
PROBE = HERE / "_start_probe.py"
RUNS = 9
WARMUP = 1  # per series, not counted: compiles the bytecode cache, fills the page cache
COLUMNS, ROWS = 160, 48
TIMEOUT = 30.0  # for the first frame
QUIT_GRACE = 1.5  # seconds a console gets to exit after `q` (or after the probe's exit())
GOAL = 2.0
HEADER, FOOTER = b"INC-1", b"Quit"
_ESCAPE = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def child_env(home: Path, pycache: Path) -> dict[str, str]:
    """A user with no config and a known name; the terminal size comes from the pty. Bytecode
    is cached (in a directory of our own, so nothing is written into the checkout or the venv),
    as it is for an installed package, even when PYTHONDONTWRITEBYTECODE is set here."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WARROOM_", "TEXTUAL", "AWS_")) and k not in ("COLUMNS", "LINES")
    }
    env.pop("SUDO_USER", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        PYTHONPYCACHEPREFIX=str(pycache),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        WARROOM_USER="bench",
        TERM="xterm-256color",
    )
    return env


class PtyRun:
    """One process on the slave side of a fresh 160x48 pty; a thread drains the master side and
    notes (time.monotonic) when the screen text first held every marker."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.output = bytearray()
        self.seen_at: float | None = None
        self.seen = threading.Event()
        self.spawned = time.monotonic()
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            now = time.monotonic()
            self.output += chunk
            if self.seen_at is None:
                text = _ESCAPE.sub(b"", bytes(self.output))
                if HEADER in text and FOOTER in text:
                    self.seen_at = now
                    self.seen.set()
        self.seen.set()

    def type(self, data: bytes) -> None:
        os.write(self.master, data)

    def finish(self, grace: float) -> bool:
        """Wait `grace` seconds for the process to exit by itself, else kill it (SIGKILL, by
        pid); release the terminal. True when it exited by itself with status 0."""
        try:
            clean = self.proc.wait(timeout=grace) == 0
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            clean = False
        self.reader.join(timeout=5)
        os.close(self.master)
        return clean

    def screen_tail(self) -> str:
        return _ESCAPE.sub(b"", bytes(self.output[-2000:])).decode(errors="replace")


def run_baseline(env: dict[str, str], cwd: Path) -> float:
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", "import textual.app"],
        env=env,
        cwd=cwd,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - start


def run_console(env: dict[str, str], cwd: Path, db: Path) -> tuple[float, bool]:
    """Spawn to INC-1 + footer on the terminal; and whether `q` then ended the process."""
    run = PtyRun([sys.executable, "-m", "warroom", "--db", str(db)], env, cwd)
    run.seen.wait(TIMEOUT)
    seen_at = run.seen_at
    if seen_at is not None:
        run.type(b"q")
    clean = run.finish(QUIT_GRACE if seen_at is not None else 0)
    if seen_at is None:
        raise RuntimeError(f"console did not show INC-1 and its footer: {run.screen_tail()}")
    return seen_at - run.spawned, clean


def run_probe(env: dict[str, str], cwd: Path, db: Path) -> tuple[dict[str, float], bool]:
    """The probe's marks (seconds after spawn), plus `terminal` (INC-1 + footer seen on the
    pty); and whether the probe's exit() ended the process."""
    out = cwd / "probe.txt"
    out.unlink(missing_ok=True)
    run = PtyRun([sys.executable, str(PROBE), str(out), "--db", str(db)], env, cwd)
    deadline = time.monotonic() + TIMEOUT
    while not out.exists() and run.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    clean = run.finish(QUIT_GRACE)
    if not out.exists():
        raise RuntimeError(f"the probe noted no frame: {run.screen_tail()}")
    marks = {}
    for line in out.read_text().splitlines():
        name, value = line.split()
        marks[name] = float(value) - run.spawned
    if run.seen_at is not None:
        marks["terminal"] = run.seen_at - run.spawned
    return marks, clean


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="warroom-start-") as tmp:
        root = Path(tmp)
        home = root / "home"
        home.mkdir()
        db = root / "journal" / "warroom.db"
        env = child_env(home, root / "pycache")
        subprocess.run(
            [
                *(sys.executable, "-m", "warroom", "--db", str(db), "declare"),
                *("--title", "Checkout API returns 500s", "--severity", "SEV-2"),
            ],
            env=env,
            cwd=root,
            check=True,
            capture_output=True,
        )

        baseline: list[float] = []
        console: list[float] = []
        probe: list[dict[str, float]] = []
        unclean = {"console": 0, "probe": 0}
        started = time.monotonic()
        for n in range(WARMUP + RUNS):
            b = run_baseline(env, root)
            c, console_clean = run_console(env, root, db)
            p, probe_clean = run_probe(env, root, db)
            unclean["console"] += not console_clean
            unclean["probe"] += not probe_clean
            if n >= WARMUP:
                baseline.append(b)
                console.append(c)
                probe.append(p)

        def med(values: list[float]) -> float:
            return statistics.median(values) * 1000

        def series(key: str) -> list[float]:
            return [p[key] for p in probe if key in p]

        base = med(baseline)
        print(f"console start to first full frame, {COLUMNS}x{ROWS} pty, {RUNS} runs per series")
        print(f"  {'series':<58} {'median':>8} {'min':>8} {'max':>8}")
        rows = [
            ('python -c "import textual.app" (spawn to exit)', baseline),
            ("python -m warroom: spawn to INC-1 + footer on the terminal", console),
            ("probe: spawn to interpreter up (script starts)", series("script")),
            ("probe: spawn to warroom.cli + console imported", series("imported")),
            ("probe: spawn to first full refresh (in-process)", series("frame")),
            ("probe: spawn to INC-1 + footer on the terminal", series("terminal")),
        ]
        for label, values in rows:
            if values:
                print(
                    f"  {label:<58} {med(values):7.0f}ms {min(values) * 1000:7.0f}ms"
                    f" {max(values) * 1000:7.0f}ms"
                )
        ratio = med(console) / base
        print(f"  ratio, console / import textual.app (medians): {ratio:.2f}x")
        if series("frame"):
            in_process = med(series("frame")) / base
            print(f"  ratio, probe in-process / import textual.app: {in_process:.2f}x")
        print(f"  goal: <= {GOAL:.0f}x")
        verdict = "met    " if ratio <= GOAL else "NOT MET"
        print(
            f"  {verdict}  first frame within {GOAL:.0f}x `import textual.app`: {ratio:.2f}x"
            f" ({med(console):.0f} ms against {base:.0f} ms, medians of {RUNS})"
        )
        runs = WARMUP + RUNS
        for name, count in unclean.items():
            if count:
                print(
                    f"  note: {name}: {count}/{runs} processes had not exited {QUIT_GRACE}s after"
                    " quitting and were killed (does not affect the figures above)"
                )
        print(f"  (benchmark wall time {time.monotonic() - started:.0f}s)")


if __name__ == "__main__":
    main()
