"""DemoWorld: moto seeded like production, a health endpoint and a scenario driver, in-process."""

from __future__ import annotations

import random
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from warroom.demo import resources as r
from warroom.demo.alarms import AlarmDriver, seed_alarms
from warroom.demo.config_file import new_workdir, write_config
from warroom.demo.health_service import HealthAnswer, HealthService
from warroom.demo.log_writer import LogWriter
from warroom.demo.moto_host import DemoClients, MotoHost
from warroom.demo.scenarios import Injection, Scenario, Symptom, get_scenario
from warroom.demo.seed import Seeded, seed
from warroom.demo.state import WorldState, observe

OBSERVE_INTERVAL = 1.0  # seconds between readings of the world: heals show within ~2 s
DRIVER_TICK = 0.5  # seconds between log batches
HEALTHY_LATENCY_MS = (20, 80)


# moto's backends are process-global: a second world would reset the first one's state.
_running_lock = threading.Lock()
_running: DemoWorld | None = None


def _stderr(message: str) -> None:
    print(f"warroom demo: {message}", file=sys.stderr, flush=True)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class DemoWorld:
    """The simulated production behind `warroom demo`.

    `start()` resets and seeds moto, starts the health endpoint and the driver, and writes the
    config into `workdir`; `stop()` ends it all within about a second. Usable as `with`.
    `events` is called (from a background thread) with one line whenever the scenario fires,
    the world breaks or heals; `errors` once per distinct failure of a background thread.
    """

    def __init__(
        self,
        scenario: str = "bad-deploy",
        fail_after: float = 30.0,
        workdir: Path | None = None,
        *,
        events: Callable[[str], None] | None = None,
        errors: Callable[[str], None] = _stderr,
        rng_seed: int | None = None,
        observe_interval: float = OBSERVE_INTERVAL,
        driver_tick: float = DRIVER_TICK,
    ) -> None:
        if fail_after < 0:
            raise ValueError(f"fail_after must not be negative, got {fail_after}")
        self.scenario: Scenario = get_scenario(scenario)
        self.fail_after = float(fail_after)
        # Where the config, its credentials and the journal go; by default a fresh temp dir.
        self.workdir = Path(workdir) if workdir is not None else new_workdir()
        self._events = events or (lambda _line: None)
        self._errors = errors
        self._rng = random.Random(rng_seed)
        # Shorter in tests: the world then breaks and heals within a fraction of a second.
        self.observe_interval = observe_interval
        self.driver_tick = driver_tick
        self._stopping = threading.Event()
        self._moto = MotoHost()
        self._health = HealthService(self.health_answer, self._stopping)
        self._threads: list[threading.Thread] = []
        self._reported: set[str] = set()
        # The observer and the driver both refresh the state; one at a time keeps the
        # broken/healed announcements in step.
        self._lock = threading.Lock()
        self._clients: DemoClients | None = None
        self._alarms: AlarmDriver | None = None
        self._seeded: Seeded | None = None
        self._state: WorldState | None = None
        self._injection: Injection | None = None
        self._broken = False
        self._fire_at_monotonic = 0.0
        self.fires_at: datetime | None = None
        self.fired_at: datetime | None = None
        self.endpoint_url = ""
        self.health_url = ""
        self.config_path: Path | None = None
        self.started = False

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> DemoWorld:
        global _running
        if self.started:
            raise RuntimeError("this demo world has already been started")
        with _running_lock:
            if _running is not None:
                raise RuntimeError(
                    "another demo world is running in this process (moto's state is shared)"
                )
            _running = self
        self.started = True
        try:
            self.endpoint_url = self._moto.start()
            self._clients = DemoClients(self.endpoint_url)
            self._seeded = seed(self._clients)
            seed_alarms(self._clients.cloudwatch)
            self._alarms = AlarmDriver(self._clients.cloudwatch, random.Random(self._rng.random()))
            self._state = observe(self._clients)
            self.health_url = self._health.start()
            self.write_config()
        except BaseException:
            self.stop()
            raise
        self._fire_at_monotonic = time.monotonic() + self.fail_after
        if self.scenario.fires:
            self.fires_at = datetime.now(UTC) + timedelta(seconds=self.fail_after)
        for name, target in (("observer", self._observe_loop), ("driver", self._drive_loop)):
            thread = threading.Thread(target=target, name=f"warroom-demo-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        global _running
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._health.stop()
        self._moto.stop()
        with _running_lock:
            if _running is self:
                _running = None

    @property
    def threads(self) -> tuple[threading.Thread, ...]:
        """The world's own background threads (the health server's included)."""
        return (*self._threads, *self._health.threads)

    def __enter__(self) -> DemoWorld:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def write_config(self) -> Path:
        """Write warroom.toml (and its credentials file) into the workdir, pointing here."""
        if not self.endpoint_url or not self.health_url:
            raise RuntimeError("start the demo world before writing its config")
        seeded = self._seeded
        self.config_path = write_config(
            self.workdir,
            self.endpoint_url,
            self.health_url,
            seeded.user_pool_id if seeded else "",
            seeded.user_pool_client_id if seeded else "",
        )
        return self.config_path

    # --- what the world looks like ------------------------------------------------------

    @property
    def seeded(self) -> Seeded:
        if self._seeded is None:
            raise RuntimeError("the demo world is not started")
        return self._seeded

    @property
    def state(self) -> WorldState | None:
        """The latest reading of the world (about a second old at most)."""
        return self._state

    @property
    def injection(self) -> Injection | None:
        """What the scenario broke, once it has fired."""
        return self._injection

    def remedy(self) -> str:
        return self.scenario.remedy_for(self.seeded)

    def symptom(self) -> Symptom | None:
        state, injection = self._state, self._injection
        if state is None or injection is None:
            return None
        return self.scenario.symptom(state, injection)

    def health_answer(self) -> HealthAnswer:
        state = self._state
        symptom = self.symptom()
        checks = {"db": "ok", "redis": "ok", "ai_provider": "ok"}
        body: dict[str, Any] = {
            "status": "ok",
            "service": r.BACKEND_SERVICE,
            "version": state.backend_version if state else "unknown",
            "revision": f"{r.BACKEND_FAMILY}:{state.backend_revision}" if state else "unknown",
            "ai_provider": state.ai_provider if state else "unknown",
            "checks": checks,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if symptom is None:
            return HealthAnswer(200, body, HEALTHY_LATENCY_MS)
        body["status"] = symptom.status
        checks.update(symptom.checks)
        return HealthAnswer(symptom.status_code, body, symptom.latency_ms)

    # --- background threads ---------------------------------------------------------------

    def _report(self, where: str, exc: BaseException) -> None:
        # Once per distinct failure: a moto hiccup every tick must not flood the terminal.
        key = f"{where}: {type(exc).__name__}: {exc}"
        with self._lock:
            if key in self._reported or self._stopping.is_set():
                return
            self._reported.add(key)
        self._errors(f"{key} (still running; will keep trying)")

    def _refresh_state(self) -> None:
        assert self._clients is not None
        try:
            state = observe(self._clients)
        except Exception as exc:
            self._report("reading the world", exc)
            return
        injection = self._injection
        if self._alarms is not None:
            # The alarms follow the same symptom as health and the logs, set before health
            # answers from the new state: whoever sees health break finds the alarm fired.
            symptom = None if injection is None else self.scenario.symptom(state, injection)
            try:
                self._alarms.update(symptom)
            except Exception as exc:
                self._report("setting the alarms", exc)
        with self._lock:
            self._state = state
            broken = self.symptom() is not None
            changed, self._broken = broken != self._broken, broken
        if changed:
            if broken:
                self._events(f"{self.scenario.name}: production is broken (health now failing)")
            else:
                self._events(f"{self.scenario.name}: production has healed (health ok again)")

    def _observe_loop(self) -> None:
        while not self._stopping.wait(self.observe_interval):
            self._refresh_state()

    def _fire(self) -> None:
        assert self._clients is not None and self._state is not None
        injection = self.scenario.inject(self._clients, self.seeded, self._state)
        self._injection = injection
        self.fired_at = datetime.now(UTC)
        self._events(f"{self.scenario.name} fired: {injection.summary}")
        # Read the world at once so health turns on schedule, not up to a second later.
        self._refresh_state()

    def _drive_loop(self) -> None:
        assert self._clients is not None
        writer = LogWriter(self._clients, self._rng)
        last = _now_ms()
        while not self._stopping.wait(self.driver_tick):
            try:
                due = time.monotonic() >= self._fire_at_monotonic
                if self.scenario.fires and self._injection is None and due:
                    # The traffic until now as it was, then the symptom's from the moment it is
                    # staged: an error stamped before the bad deploy would be older than it.
                    last = self._write(writer, last)
                    self._fire()
                    last = max(last, _now_ms())
            except Exception as exc:
                self._report(f"staging {self.scenario.name}", exc)
            last = self._write(writer, last)

    def _write(self, writer: LogWriter, last: int) -> int:
        """Write the traffic since `last`; returns where the next write starts."""
        now = _now_ms()
        try:
            writer.write(last, now, self.symptom())
            return now
        except Exception as exc:  # the lines are written next tick, with the next ones
            self._report("writing logs", exc)
            return last
