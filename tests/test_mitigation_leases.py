"""No double mitigation (issue 16): a run holds a lease on its target, the preview names the last
mitigation on the target, and the live state is read again right before acting. Two real CLI
processes race on one target against moto over HTTP; in-process war rooms share one journal."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from warroom.mitigation_lease import LEASE_TTL, lease_key
from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

from .conftest import rows, seed_ecs
from .test_actions import backend_task_definition, client, make_config


class HoldingProxy:
    """A real HTTP proxy on 127.0.0.1 in front of moto that holds the first ECS UpdateService
    until `release` is set: the first rollback is still running while the other process tries,
    whichever of the two gets there first."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.release = threading.Event()
        self.held = threading.Event()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                target = self.headers.get("x-amz-target", "")
                if target.endswith(".UpdateService") and proxy._first_update():
                    proxy.release.wait(60)
                skip = ("host", "content-length", "connection", "accept-encoding")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                answer = httpx.post(
                    proxy.upstream + self.path, content=body, headers=headers, timeout=30
                )
                self.send_response(answer.status_code)
                self.send_header("content-type", answer.headers.get("content-type", ""))
                self.send_header("content-length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def _first_update(self) -> bool:
        with self._lock:
            first = not self.held.is_set()
            self.held.set()
            return first

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_two_processes_racing_on_one_target_roll_back_once(cli, aws, db, tmp_path: Path):
    seed_ecs(aws)
    proxy = HoldingProxy(aws)
    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[aws]\nregion = "me-south-1"\nendpoint_url = "{proxy.url}"\n'
        '[ecs]\ncluster = "saas-prod"\nservices = ["saas-backend"]\n'
    )
    assert cli("declare", "--title", "Bad deploy", "--severity", "SEV-1").returncode == 0
    try:
        with ThreadPoolExecutor(2) as pool:
            runs = {
                pool.submit(
                    cli,
                    "mitigate",
                    "run",
                    "rollback",
                    "--yes",
                    "--config",
                    str(config),
                    env={"WARROOM_USER": who},
                ): who
                for who in ("alice", "bob")
            }
            # The loser ends while the winner's update is held; then the winner may finish.
            wait(runs, timeout=60, return_when=FIRST_COMPLETED)
            proxy.release.set()
            results = {who: run.result() for run, who in runs.items()}
    finally:
        proxy.stop()

    codes = {who: r.returncode for who, r in results.items()}
    assert sorted(codes.values()) == [0, 1], results
    winner = next(who for who, code in codes.items() if code == 0)
    loser = next(who for who, code in codes.items() if code == 1)
    said = results[loser].stdout.splitlines()[-1]
    assert said.startswith(
        "INC-1 action: roll back saas-backend from saas-backend:3 to saas-backend:2: "
        f"refused: {winner} is running rollback on saas-backend since "
    ), said
    assert re.search(r" since \d\d:\d\d:\d\d UTC \(\d+s ago\)$", said), said
    # Exactly one rollback: ECS moved one revision back, and the journal says who did it.
    assert backend_task_definition(aws) == "saas-backend:2"
    shown = json.loads(cli("show", "1", "--json").stdout)
    actions = [e for e in shown["events"] if e["kind"] == "action"]
    assert sorted((a["author"], a["data"]["ok"], "refused" in a["data"]) for a in actions) == (
        sorted([(winner, True, False), (loser, False, True)])
    )
    assert rows(db, "SELECT * FROM mitigation_leases") == []  # released when the run ended


@pytest.fixture
async def rooms(db, clock, aws):
    """alice's and bob's war rooms on one journal, with an open incident, against moto."""
    opened: list[WarRoom] = []

    async def make(author: str) -> WarRoom:
        config = make_config(aws)
        room = WarRoom(
            await SqliteJournal.open(db),
            author=author,
            runbook=load_runbook(),
            clock=clock,
            config=config,
        )
        opened.append(room)
        return room

    alice, bob = await make("alice"), await make("bob")
    await alice.declare("Bad deploy", Severity.SEV1)
    yield alice, bob
    for room in opened:
        await room.close()


async def test_a_target_being_mitigated_refuses_another_run_with_who_and_since(rooms, aws, clock):
    seed_ecs(aws)
    alice, bob = rooms
    action, plan = await alice.plan_action("rollback", "saas-backend")
    _, bobs = await bob.plan_action("rollback", "saas-backend")
    async with alice.holding_target(action, plan) as held_by:
        assert held_by == ""
        clock.advance(seconds=40)
        outcome, event = await bob.run_action(action, bobs, confirmation="saas-backend")
        # scale is another action on the same service: the same lease.
        scale, halve = await bob.plan_action("scale", "saas-backend", "1")
        scaled, _ = await bob.run_action(scale, halve, confirmation=True)
    assert not outcome.ok and not scaled.ok
    assert outcome.detail == (
        "refused: alice is running rollback on saas-backend since 03:01:00 UTC (40s ago)"
    )
    assert event.author == "bob" and event.data["refused"].startswith("alice is running")
    assert backend_task_definition(aws) == "saas-backend:3"  # nothing ran
    # Released: bob's next attempt runs.
    outcome, _ = await bob.run_action(action, bobs, confirmation="saas-backend")
    assert outcome.ok and backend_task_definition(aws) == "saas-backend:2"


async def test_a_lease_left_by_a_killed_process_expires(rooms, aws, clock):
    seed_ecs(aws)
    alice, bob = rooms
    action, plan = await alice.plan_action("rollback", "saas-backend")
    # alice's process took the lease and died: it is never released.
    now = clock()
    await alice.journal.take_mitigation_lease(
        lease_key(action.target_kind, "saas-backend"),
        action="rollback",
        holder="alice",
        token="killed",
        now=now,
        until=now + LEASE_TTL,
    )
    outcome, _ = await bob.run_action(action, plan, confirmation="saas-backend")
    assert outcome.detail.startswith("refused: alice is running rollback")
    clock.advance(minutes=3)
    outcome, _ = await bob.run_action(action, plan, confirmation="saas-backend")
    assert outcome.ok and backend_task_definition(aws) == "saas-backend:2"


async def test_the_live_state_is_read_again_and_a_changed_one_refuses(rooms, aws, clock):
    seed_ecs(aws)
    alice, bob = rooms
    action, alices = await alice.plan_action("rollback", "saas-backend")
    _, bobs = await bob.plan_action("rollback", "saas-backend")
    assert alices.changes[0].describe().endswith("saas-backend:3 -> saas-backend:2")
    outcome, _ = await bob.run_action(action, bobs, confirmation="saas-backend")
    assert outcome.ok
    clock.advance(seconds=40)
    # alice confirms the preview she read before bob's rollback: it no longer holds.
    outcome, _ = await alice.run_action(action, alices, confirmation="saas-backend")
    assert not outcome.ok
    assert outcome.detail == (
        "refused: saas-backend is at saas-backend:2 now, not saas-backend:3 as previewed: "
        "preview again (last: bob rolled back saas-backend 40s ago: "
        "saas-backend:3 -> saas-backend:2)"
    )
    assert backend_task_definition(aws) == "saas-backend:2"  # not on to :1
    # A change made outside the war room is caught the same way.
    _, again = await alice.plan_action("rollback", "saas-backend")
    client("ecs", aws).update_service(
        cluster="saas-prod", service="saas-backend", taskDefinition="saas-backend:3"
    )
    outcome, _ = await alice.run_action(action, again, confirmation="saas-backend")
    assert outcome.detail.startswith(
        "refused: saas-backend is at saas-backend:3 now, not saas-backend:2 as previewed"
    )
    incident = await alice.incident(1)
    assert [e.data["ok"] for e in incident.events if e.kind is Kind.ACTION] == [True, False, False]


async def test_the_preview_names_the_last_mitigation_on_the_target(rooms, aws, clock):
    seed_ecs(aws)
    alice, bob = rooms
    action, plan = await bob.plan_action("rollback", "saas-backend")
    assert plan.last == "" and "last on" not in plan.preview()
    await bob.run_action(action, plan, confirmation="saas-backend")
    clock.advance(seconds=40)
    _, plan = await alice.plan_action("rollback", "saas-backend")
    assert plan.preview().splitlines()[-1] == (
        "  last on saas-backend: bob rolled back saas-backend 40s ago: "
        "saas-backend:3 -> saas-backend:2"
    )
    _, scale = await alice.plan_action("scale", "saas-backend", "1")  # same service
    assert scale.last.startswith("bob rolled back saas-backend 40s ago")
    _, other = await alice.plan_action("rollback", "saas-worker")
    assert other.last == ""  # another target
