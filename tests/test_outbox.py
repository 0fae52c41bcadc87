"""Status updates are never lost: a failed post stays in the outbox (a SQLite table beside the
journal), is retried with backoff until it is sent or discarded, also after a restart, and is
sent once even when two consoles retry at the same moment. Real HTTP receivers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from warroom.config import Config, NotifyConfig, SlackConfig, TelegramConfig
from warroom.followups import PostState
from warroom.model import Kind
from warroom.runbook import load_runbook
from warroom.service import WarRoom, retry_delay
from warroom.severity import Severity
from warroom.store import SqliteJournal

from .helpers.loopback import Loopback, Reply, Request

SLACK_ENV = "WARROOM_SLACK_WEBHOOK_URL"
TELEGRAM_ENV = "WARROOM_TELEGRAM_BOT_TOKEN"
TOKEN = "612345789:AAHf9kPz-Q7rLm2_xWv8NcB4tYs6JdE1uGo"


class Receiver(Loopback):
    """Slack and Telegram on one loopback server; answers from a script of statuses, then 200.
    `accepted` holds the bodies answered with 200: what the channel really shows."""

    def __init__(self) -> None:
        super().__init__(answer=self._post)
        self.script: list[int] = []
        self.accepted: list[tuple[str, dict]] = []

    @property
    def requests(self) -> list[tuple[str, dict]]:
        return [(r.path, r.json()) for r in self.received]

    def _post(self, request: Request) -> Reply:
        status = self.script.pop(0) if self.script else 200
        if status == 200:
            self.accepted.append((request.path, request.json()))
        answer = b'{"ok": true, "result": {"message_id": 1}}' if "bot" in request.path else b"ok"
        return Reply(status, answer, "application/json", self.delay)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    stub = Receiver().start()
    monkeypatch.setenv(SLACK_ENV, f"{stub.base}/services/T0/B0/hooksecret")
    monkeypatch.setenv(TELEGRAM_ENV, TOKEN)
    yield stub
    stub.stop()


def config_for(receiver: Receiver, *channels: str) -> Config:
    return Config(
        notify=NotifyConfig(
            channels=channels,
            slack=SlackConfig(webhook_url_env=SLACK_ENV),
            telegram=TelegramConfig(
                bot_token_env=TELEGRAM_ENV, chat_id="-100", api_url=receiver.base
            ),
        )
    )


async def open_room(db: Path, clock, config: Config) -> WarRoom:
    journal = await SqliteJournal.open(db)
    return WarRoom(journal, author="ana", runbook=load_runbook(), clock=clock, config=config)


async def comms(room: WarRoom, incident_id: int) -> list:
    incident = await room.incident(incident_id)
    return [e for e in incident.events if e.kind is Kind.COMMS]


def test_backoff_doubles_from_five_seconds_up_to_five_minutes():
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        5,
        10,
        20,
        40,
        80,
        160,
        300,
        300,
    ]


async def test_a_receiver_failing_twice_gets_the_message_once_and_it_is_journaled_once(
    db, clock, receiver
):
    room = await open_room(db, clock, config_for(receiver, "slack"))
    try:
        incident = await room.declare("API down", Severity.SEV1)
        receiver.script = [500, 503]

        [first] = await room.post_update("Investigating alarm api-5xx.", incident_id=incident)
        assert not first.ok and "HTTP 500" in first.result.detail
        assert "hooksecret" not in first.result.detail
        assert await comms(room, incident) == []
        [kept] = await room.outbox()
        assert kept.attempts == 1 and kept.next_attempt_at == clock.now + timedelta(seconds=5)

        assert await room.deliver_due() == []  # not due yet: nothing is sent early
        clock.advance(seconds=5)
        [second] = await room.deliver_due()
        assert not second.ok and second.message.attempts == 2
        clock.advance(seconds=9)
        assert await room.deliver_due() == []  # the second wait is 10 s
        clock.advance(seconds=1)
        [third] = await room.deliver_due()
        assert third.ok

        assert len(receiver.requests) == 3
        assert [body["text"] for _, body in receiver.accepted] == ["Investigating alarm api-5xx."]
        [entry] = await comms(room, incident)
        assert entry.text == "Investigating alarm api-5xx."
        assert entry.author == "ana" and entry.at == clock.now
        assert entry.data["channel"] == "slack" and entry.data["attempts"] == 3
        assert await room.outbox() == []
        clock.advance(minutes=10)
        assert await room.deliver_due() == []
        assert len(receiver.requests) == 3
    finally:
        await room.close()


async def test_an_unsent_update_survives_a_restart(db, clock, receiver):
    config = config_for(receiver, "slack")
    room = await open_room(db, clock, config)
    incident = await room.declare("API down", Severity.SEV1)
    receiver.script = [502]
    [failed] = await room.post_update("Mitigated by rollback.", incident_id=incident)
    assert not failed.ok
    await room.close()  # the console quits, or the bastion drops the session

    clock.advance(minutes=1)
    room = await open_room(db, clock, config)
    try:
        [pending] = await room.outbox()
        assert pending.text == "Mitigated by rollback." and "HTTP 502" in pending.last_error
        [sent] = await room.deliver_due()
        assert sent.ok
        assert [body["text"] for _, body in receiver.accepted] == ["Mitigated by rollback."]
        assert len(await comms(room, incident)) == 1
    finally:
        await room.close()


async def test_several_channels_at_once_each_retried_on_its_own(db, clock, receiver):
    room = await open_room(db, clock, config_for(receiver, "slack", "telegram"))
    try:
        incident = await room.declare("API down", Severity.SEV1)
        receiver.script = [200, 500]  # Slack takes it, Telegram fails once
        deliveries = await room.post_update("Resolved.", incident_id=incident)
        assert [(d.message.channel, d.ok) for d in deliveries] == [
            ("slack", True),
            ("telegram", False),
        ]
        clock.advance(seconds=5)
        [retried] = await room.deliver_due()
        assert retried.message.channel == "telegram" and retried.ok
        assert "Telegram chat -100" in retried.result.detail  # judged as Telegram's answer
        assert deliveries[0].result.detail == "posted to Slack"

        paths = [path for path, _ in receiver.accepted]
        assert paths == ["/services/T0/B0/hooksecret", f"/bot{TOKEN}/sendMessage"]
        assert receiver.accepted[1][1] == {"chat_id": "-100", "text": "Resolved."}
        entries = await comms(room, incident)
        assert sorted(e.data["channel"] for e in entries) == ["slack", "telegram"]
        assert TOKEN not in json.dumps([e.data for e in entries])
    finally:
        await room.close()


async def test_two_consoles_retrying_together_send_once(db, clock, receiver):
    config = config_for(receiver, "slack")
    one = await open_room(db, clock, config)
    two = await open_room(db, clock, config)
    try:
        incident = await one.declare("API down", Severity.SEV1)
        receiver.script = [500]
        await one.post_update("Investigating.", incident_id=incident)
        clock.advance(seconds=5)
        receiver.delay = 0.3  # both ask while the first attempt is still in flight
        a, b = await asyncio.gather(one.deliver_due(), two.deliver_due())
        attempts = [d for d in a + b if d.result is not None]
        assert len(attempts) == 1 and attempts[0].ok
        assert len(receiver.accepted) == 1
        assert len(await comms(one, incident)) == 1
    finally:
        await one.close()
        await two.close()


async def test_retry_now_leaves_a_message_another_console_is_sending(db, clock, receiver):
    config = config_for(receiver, "slack")
    one = await open_room(db, clock, config)
    two = await open_room(db, clock, config)
    try:
        incident = await one.declare("API down", Severity.SEV1)
        receiver.script = [500]
        [failed] = await one.post_update("Investigating.", incident_id=incident)
        clock.advance(seconds=5)
        # Console one takes it for its second attempt, and is still posting...
        taken = await one.journal.claim_post(
            failed.message.id, now=clock.now, lease_until=clock.now + timedelta(seconds=30)
        )
        assert taken is not None and taken.attempts == 2
        # ...when someone presses "retry now" in console two.
        [skipped] = await two.retry_outbox_now()
        assert skipped.result is None and len(receiver.requests) == 1
        sent = await one._attempt(taken)
        assert sent.ok and len(receiver.accepted) == 1
        assert len(await comms(one, incident)) == 1
    finally:
        await one.close()
        await two.close()


async def test_a_newer_update_supersedes_an_unsent_older_one(db, clock, receiver):
    room = await open_room(db, clock, config_for(receiver, "slack"))
    try:
        incident = await room.declare("API down", Severity.SEV1)
        receiver.script = [500]
        await room.post_update("Investigating.", incident_id=incident)
        clock.advance(minutes=10)
        [sent] = await room.post_update("Mitigated by rollback.", incident_id=incident)
        assert sent.ok
        clock.advance(minutes=10)
        assert await room.deliver_due() == []  # "Investigating" is never posted late
        assert [body["text"] for _, body in receiver.accepted] == ["Mitigated by rollback."]
        assert await room.outbox() == []
    finally:
        await room.close()


async def test_a_discarded_update_is_never_sent(db, clock, receiver):
    room = await open_room(db, clock, config_for(receiver, "slack"))
    try:
        incident = await room.declare("API down", Severity.SEV1)
        receiver.script = [500]
        [failed] = await room.post_update("Wrong text.", incident_id=incident)
        discarded = await room.discard_post(failed.message.id)
        assert discarded.state is PostState.DISCARDED and discarded.closed_by == "ana"
        clock.advance(hours=1)
        assert await room.deliver_due() == []
        assert await room.outbox() == []
        assert len(receiver.requests) == 1
        assert await comms(room, incident) == []
    finally:
        await room.close()


def test_cli_lists_retries_and_discards_the_outbox(cli, tmp_path, receiver):
    env = {SLACK_ENV: f"{receiver.base}/services/T0/B0/hooksecret", TELEGRAM_ENV: TOKEN}
    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[notify]\nchannels = ["slack", "telegram"]\n'
        f'[notify.telegram]\nchat_id = "-100"\napi_url = "{receiver.base}"\n'
    )
    cfg = ("--config", str(config))
    cli("declare", "--title", "API down", "--severity", "SEV-1")
    receiver.script = [500, 500]
    posted = cli("update", "--post", "--text", "Investigating.", *cfg, env=env)
    assert posted.returncode == 1
    assert posted.stderr.count("kept in the outbox") == 2
    assert "hooksecret" not in posted.stderr and TOKEN not in posted.stderr

    listed = json.loads(cli("outbox", "list", "--json", *cfg).stdout)
    assert [(m["id"], m["channel"], m["attempts"]) for m in listed] == [
        (1, "slack", 1),
        (2, "telegram", 1),
    ]
    assert cli("outbox", "discard", "2", *cfg).returncode == 0
    retried = cli("outbox", "retry", *cfg, env=env)
    assert retried.returncode == 0, retried.stderr
    assert "#1 posted to slack" in retried.stdout
    assert cli("outbox", "list", *cfg).stdout.startswith("the outbox is empty")
    assert [body["text"] for _, body in receiver.accepted] == ["Investigating."]
    events = json.loads(cli("show", "1", "--json").stdout)["events"]
    assert [e["data"]["channel"] for e in events if e["kind"] == "comms"] == ["slack"]
    again = cli("outbox", "discard", "1", *cfg)
    assert again.returncode == 2 and "already sent" in again.stderr


# The console -------------------------------------------------------------------------------


async def test_console_keeps_a_failed_update_counts_it_and_retries_it(
    tmp_path, db, clock, receiver
):
    from textual.widgets import TextArea

    from warroom.config import JournalConfig, UserConfig
    from warroom.ui.app import WarRoomApp
    from warroom.ui.dialogs import UpdateEditor
    from warroom.ui.outbox import OutboxScreen
    from warroom.ui.panels import IncidentHeader

    config = Config(
        user=UserConfig(name="ana"),
        journal=JournalConfig(postmortem_dir=str(tmp_path / "pm")),
        notify=config_for(receiver, "slack").notify,
    )
    room = await open_room(db, clock, config)
    incident = await room.declare("API down", Severity.SEV1)
    await room.close()

    app = WarRoomApp(config, db, start_feeds=False, clock=clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        header = app.query_one(IncidentHeader)
        assert "update in 00:30:00" in str(header.render())  # SEV-1: every 30 min

        receiver.script = [500, 500]
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UpdateEditor)
        assert app.screen.query_one(TextArea).text.startswith("[INC-1 SEV-1] API down\n")
        await pilot.press("ctrl+s")  # send the drafted "Investigating ..." message, two lines
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert header.unsent == 1 and "1 unsent" in str(header.render())

        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OutboxScreen) and "HTTP 500" in str(
            app.screen.query_one("#outbox").get_option_at_index(0).prompt
        )
        await pilot.press("r")  # retry now: fails again
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert header.unsent == 1 and len(receiver.requests) == 2

        clock.advance(seconds=10)  # the backoff has run out: the console's own tick sends it
        app._outbox_tick()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert header.unsent == 0 and len(receiver.accepted) == 1

        clock.advance(minutes=31)
        header.redraw()
        # The clock counts from the update that was sent (T+10 s), not from detection.
        assert "update LATE 00:01:00" in str(header.render())

    room = await open_room(db, clock, config)
    try:
        [entry] = await comms(room, incident)
        assert entry.text.startswith("[INC-1 SEV-1] API down\nInvestigating")
        assert entry.data["attempts"] == 3
        assert receiver.accepted[0][1]["text"] == entry.text
    finally:
        await room.close()
