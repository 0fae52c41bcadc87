"""`warroom demo`: the demo world served alone, or with the console on it (the same code as
production). The console is imported only when it is opened."""

from __future__ import annotations

import sys
from pathlib import Path

from warroom.config import load_config
from warroom.demo.config_file import new_workdir
from warroom.demo.moto_host import require_moto
from warroom.demo.scenarios import SCENARIOS
from warroom.demo.serve import list_scenarios, serve_only
from warroom.demo.world import DemoWorld
from warroom.errors import UserError
from warroom.timeutil import utcnow


def run_demo(
    scenario: str,
    fail_after: float,
    workdir: Path | None = None,
    *,
    serve: bool = False,
    list_only: bool = False,
) -> int:
    if list_only:
        sys.stdout.write(list_scenarios())
        return 0
    if scenario not in SCENARIOS and scenario != "none":
        raise UserError(f"unknown scenario {scenario!r}; use one of: {', '.join(SCENARIOS)}")
    require_moto()  # without `warroom[demo]`: one line saying so, exit 2
    workdir = workdir or new_workdir()
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UserError(f"cannot use {workdir} for the demo: not a directory") from None
    except OSError as exc:
        raise UserError(f"cannot use {workdir} for the demo: {exc.strerror or exc}") from None
    if serve:
        return serve_only(scenario, fail_after, workdir)
    return _with_console(scenario, fail_after, workdir)


def _with_console(scenario: str, fail_after: float, workdir: Path) -> int:
    from warroom.ui.app import run_console

    try:
        log = (workdir / "demo.log").open("a", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot use {workdir} for the demo: {exc.strerror}") from None

    def note(line: str) -> None:  # the console owns the terminal: world chatter goes to a file
        log.write(f"{utcnow():%H:%M:%S} {line}\n")
        log.flush()

    world = DemoWorld(scenario, fail_after, workdir, events=note, errors=note)
    try:
        world.start()
        assert world.config_path is not None
        config = load_config(str(world.config_path))
        # The world's own journal, whatever $WARROOM_DB says: demo entries stay in the demo.
        code = run_console(config, config.resolve_path(config.journal.db))
    finally:
        world.stop()
        log.close()
    print(f"demo files kept in {workdir} (config, journal, post-mortems, demo.log)")
    return code
