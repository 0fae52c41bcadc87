"""Team-defined actions: an argv from the config, run without a shell."""

from __future__ import annotations

import shlex
import subprocess
import time

from warroom.actions.base import ActionContext, Change, Outcome, Plan
from warroom.config import CommandAction, Config
from warroom.sanitize import safe_line

TAIL_LINES = 20


class TeamCommand:
    target_kind = "command"
    value_help = ""

    def __init__(self, spec: CommandAction) -> None:
        self.spec = spec
        self.name = spec.name
        self.description = spec.description or f"run {shlex.join(spec.argv)}"

    def candidates(self, config: Config) -> tuple[str, ...]:
        return (self.name,)

    def plan(self, ctx: ActionContext, target: str, value: str | None) -> Plan:
        return Plan(
            self.name,
            self.name,
            f"run {shlex.join(self.spec.argv)}",
            (Change("command", "argv", "-", shlex.join(self.spec.argv)),),
            confirm=self.spec.confirm,
            params={"argv": list(self.spec.argv)},
        )

    def run(self, ctx: ActionContext, plan: Plan) -> Outcome:
        started = time.perf_counter()
        try:
            done = subprocess.run(
                self.spec.argv,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=self.spec.timeout.total_seconds(),
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            limit = self.spec.timeout.total_seconds()
            return Outcome(False, f"timed out after {limit:g}s", time.perf_counter() - started)
        except OSError as exc:
            return Outcome(
                False,
                f"cannot run {self.spec.argv[0]}: {exc.strerror}",
                time.perf_counter() - started,
            )
        output = (done.stdout + done.stderr).splitlines()[-TAIL_LINES:]
        tail = [safe_line(line, limit=300) for line in output]
        return Outcome(
            done.returncode == 0,
            f"exit status {done.returncode}",
            time.perf_counter() - started,
            data={"exit_status": done.returncode, "tail": tail},
        )
