"""Status updates through the write path: drafted from the journal, posted to a loopback Slack
receiver, journaled as `comms` only when sent."""

from __future__ import annotations

import json

from .helpers.loopback import Loopback, Reply, Request


class SlackReceiver(Loopback):
    """A Slack webhook: `bodies` holds the messages it took (answered 200 on the hook's path)."""

    def __init__(self) -> None:
        super().__init__(path="/hooks/T000/B000/secretpart", answer=self._post)
        self.bodies: list[dict] = []
        self.start()

    def _post(self, request: Request) -> Reply:
        if request.path == self.path and self.status == 200:
            self.bodies.append(request.json())
        return Reply(self.status, b"ok")


def test_update_draft_post_and_journal(cli, tmp_path):
    receiver = SlackReceiver()
    try:
        config = tmp_path / "warroom.toml"
        config.write_text('[notify]\nchannel = "slack"\n')
        env = {"WARROOM_SLACK_WEBHOOK_URL": receiver.url}
        cli(
            "declare",
            "--title",
            "API down",
            "--severity",
            "SEV-1",
            "--note",
            "alarm saas-backend-5xx",
        )
        draft = cli("update", "--config", str(config), env=env)
        assert draft.returncode == 0
        assert draft.stdout == "[INC-1 SEV-1] API down\nInvestigating alarm saas-backend-5xx.\n"

        receiver.status = 500
        failed = cli("update", "--post", "--config", str(config), env=env)
        assert failed.returncode == 1 and "not posted to slack" in failed.stderr
        assert "kept in the outbox" in failed.stderr
        assert "secretpart" not in failed.stderr
        events = json.loads(cli("show", "1", "--json").stdout)["events"]
        assert [e["kind"] for e in events] == ["detected"]  # a failed post is not "sent"

        receiver.status = 200
        cli("event", "mitigated", "rolled back to rev 8")
        sent = cli("update", "--post", "--config", str(config), env=env)
        assert sent.returncode == 0, sent.stderr
        assert len(receiver.bodies) == 1
        assert receiver.bodies[0]["text"].startswith("[INC-1 SEV-1] API down\nMitigated by ")
        events = json.loads(cli("show", "1", "--json").stdout)["events"]
        comms = [e for e in events if e["kind"] == "comms"]
        assert len(comms) == 1 and comms[0]["text"] == receiver.bodies[0]["text"]
        assert comms[0]["data"]["channel"] == "slack"
        assert "secretpart" not in json.dumps(events)
    finally:
        receiver.stop()
