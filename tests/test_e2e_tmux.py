"""End to end: `warroom demo` in a real terminal (tmux), driven by keys, read off the screen."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from .conftest import isolated_env

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    def __init__(self, home: Path) -> None:
        self.socket = f"warroom-test-{uuid.uuid4().hex[:8]}"
        self.home = home

    def run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        ).stdout

    def start(self, command: str, env: dict[str, str]) -> None:
        exports = " ".join(
            f"{k}={_quote(v)}"
            for k, v in env.items()
            if k.startswith(("WARROOM_", "HOME", "XDG_", "PYTHONPATH", "AWS_", "PATH", "TERM"))
        )
        self.run(
            "new-session",
            "-d",
            "-x",
            "160",
            "-y",
            "48",
            "-s",
            "e2e",
            f"env -u COLUMNS -u LINES {exports} {command}; sleep 30",
        )
        # A detached session may come up at 80x24; the app gets the resize before it draws.
        self.run("resize-window", "-t", "e2e", "-x", "160", "-y", "48")

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)

    def wait_for(self, predicate, what: str, timeout: float = 40.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.3)
        raise AssertionError(f"gave up waiting for {what}; the screen was:\n{screen}")

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


# xterm: 16 colours only; the screen must still say everything.
@pytest.mark.parametrize("term", ["xterm-256color", "xterm"])
def test_demo_in_a_real_terminal(home: Path, tmp_path: Path, term: str):
    tmux = Tmux(home)
    env = isolated_env(home, TERM=term)
    workdir = tmp_path / "demo"
    try:
        tmux.start(f"{sys.executable} -m warroom demo --fail-after 4s --workdir {workdir}", env)
        tmux.wait_for(lambda s: "no incident open: watching" in s, "watching")
        tmux.keys("C-n")  # the declare form is one key away
        tmux.wait_for(lambda s: "Declare an incident" in s, "the declare form")
        tmux.keys("API returns 500s after deploy", "Enter")
        screen = tmux.wait_for(lambda s: "INC-1" in s and "Timeline (UTC)" in s, "the main screen")
        assert "a Ack" in screen and "q Quit" in screen  # the footer
        tmux.keys("a")
        # The prompt bar and the key bar are drawn in separate frames: wait for both.
        screen = tmux.wait_for(
            lambda s: "Add a short text?" in s and "enter saves" in s and "esc Skip" in s,
            "the text prompt",
        )
        rows = screen.rstrip("\n").splitlines()
        assert "Add a short text?" in rows[-2] and "esc Skip" in rows[-1]  # above the footer
        tmux.keys("on it", "Enter")
        screen = tmux.wait_for(lambda s: "acknowledged on it (ana)" in s, "the acknowledged entry")
        assert "ECS saas-prod" in screen and "saas-backend" in screen
        # The bad deploy fires: ERROR lines flood /prod/backend and health goes down.
        screen = tmux.wait_for(
            lambda s: s.count(" ERROR ") >= 5 and "api down" in s, "the bad deploy"
        )
        assert "/prod/backend ERROR" in screen
        assert "500" in screen
        # The automatic timeline noticed it too.
        tmux.wait_for(lambda s: "health api down" in s, "the automatic health entry")
        tmux.keys("q")
        tmux.wait_for(lambda s: "demo files kept in" in s, "a clean exit", timeout=20)
    finally:
        tmux.kill()
    assert (workdir / "warroom.db").exists()


def test_keys_typed_before_the_console_is_up_are_taken_as_typed(home: Path, db: Path):
    """A note typed at once after `warroom`, before the console has set the terminal up: the
    terminal's own line editing has turned its Enter into a newline by then (ctrl+j)."""
    env = isolated_env(home, WARROOM_DB=str(db))
    declare = [sys.executable, "-m", "warroom", "declare", "--title", "API 500s", "--severity", "1"]
    subprocess.run(declare, env=env, check=True, capture_output=True, timeout=60)
    tmux = Tmux(home)
    try:
        tmux.start(f"{sys.executable} -m warroom", env)
        tmux.keys("n")
        tmux.keys("typed ahead", "Enter")
        tmux.wait_for(lambda s: "typed ahead (ana)" in s, "the note in the timeline")
    finally:
        tmux.kill()
