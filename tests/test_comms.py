"""Status updates through the write path: drafted from the journal, posted to a loopback Slack
receiver, journaled as `comms` only when sent."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SlackReceiver:
    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                if self.path == "/hooks/T000/B000/secretpart" and outer.status == 200:
                    outer.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(outer.status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000/secretpart"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


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
