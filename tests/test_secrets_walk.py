"""Every CLI command with four secrets echoed back by real servers on 127.0.0.1 (tenant admin,
GitHub, Slack, Telegram) and typed in by a careless user: not one of them, in any form, reaches
the journal's bytes, stdout, stderr or an export. In-process `warroom.cli.main` calls on a real
SQLite file."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from warroom import sanitize
from warroom.cli import main
from warroom.runbook import load_runbook
from warroom.service import WarRoom
from warroom.severity import Severity
from warroom.store import SqliteJournal

from .helpers.loopback import Loopback, Reply

# Non-default variable names: whatever `*_env` keys the config names are secrets.
TENANT_ENV = "ACME_TENANT_ADMIN_TOKEN"
GITHUB_ENV = "ACME_GITHUB_TOKEN"
SLACK_ENV = "ACME_SLACK_HOOK"
TELEGRAM_ENV = "ACME_TELEGRAM_BOT"

# '/', '+' and '=' (base64 alphabets) so the percent-encoded forms differ from the bare one.
TENANT = "tadm/9Qx7+Lw2Rk5=Vz8Np3Hs6Jd"
GITHUB = "ghp_Gh7Tq2Wz9Lk4Xc1Vb8Nm5As3Df6Jh0Ky2Pq"
SLACK_KEY = "Sk9Wq2Ez7Rt4Yu1Io8Pa5Sd3"
SLACK_PATH = f"/services/T0SEC1234/B0SEC5678/{SLACK_KEY}"
TELEGRAM_KEY = "AAEt5Yq8Wz1Lk4Xc7Vb0Nm3As6Df9Gh2Jk"
TELEGRAM = f"7123456789:{TELEGRAM_KEY}"


def lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), text)


def echoes(secret: str) -> str:
    """The forms a server echoes a secret in: bare, as a bearer token, percent-encoded (upper
    and lower hex, form-encoded), JSON-escaped (PHP's \\/) and inside a URL."""
    escaped = json.dumps(secret).replace("/", "\\/")
    return (
        f"bad credential {secret}; Authorization: Bearer {secret}; "
        f"encoded={quote(secret, safe='')} lower={lower_hex(quote(secret, safe=''))} "
        f"form={quote_plus(secret)} json={escaped} "
        f"see https://admin.example.com/why?token={quote(secret)}&again={secret}"
    )


def forms(secret: str) -> set[str]:
    """What must not be found anywhere."""
    return {secret, quote(secret, safe=""), lower_hex(quote(secret, safe="")), quote_plus(secret)}


def slices(key: str, width: int = 12) -> set[str]:
    """Every run of `width` characters of a random key: a cut-short echo leaks one."""
    return {key[i : i + width] for i in range(len(key) - width + 1)}


@pytest.fixture(autouse=True)
def known_nothing() -> Iterator[None]:
    """The process starts knowing no secret: the CLI has to register them itself."""
    sanitize.forget_secrets()
    yield
    sanitize.forget_secrets()


@pytest.fixture
def servers() -> Iterator[dict[str, Loopback]]:
    started = {name: Loopback().start() for name in ("tenant", "github", "slack", "telegram")}
    yield started
    for stub in started.values():
        stub.stop()


def test_no_command_stores_prints_or_exports_a_secret(
    servers: dict[str, Loopback],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    tenant, github, slack, telegram = (
        servers[n] for n in ("tenant", "github", "slack", "telegram")
    )
    slack_url = slack.base + SLACK_PATH
    secrets = {
        "tenant": forms(TENANT) | slices(TENANT),
        "github": forms(GITHUB) | slices(GITHUB),
        "slack": forms(slack_url) | {SLACK_PATH} | slices(SLACK_KEY),
        "telegram": forms(TELEGRAM) | slices(TELEGRAM_KEY),
    }

    # The tenant admin answers 500 with its token; its health path reports it as a status.
    tenant.status = 500
    tenant.body = lambda path: (
        json.dumps({"status": TENANT, "checks": {"db": {"ok": False, "error": echoes(TENANT)}}})
        if path.endswith("/health")
        else echoes(TENANT)
    ).encode()
    # GitHub lists issues that echo the token (the export looks for its markers first), then
    # creates the issue and puts the token inside html_url.
    created = {
        "number": 1,
        "html_url": f"https://github.com/acme/backend/issues/1?token={GITHUB}",
        "message": echoes(GITHUB),
    }
    listed = [{"number": 9, "html_url": created["html_url"], "body": echoes(GITHUB)}]
    github.answer = lambda request: (
        Reply(200, listed) if request.method == "GET" else Reply(201, created)
    )
    slack.status = 500
    slack.body = lambda path: f"no_service: {echoes(slack.base + path)} ({path})".encode()
    telegram.status = 401
    telegram.content_type = "application/json"
    telegram.body = lambda path: json.dumps(
        {"ok": False, "error_code": 401, "description": f"Unauthorized {path} {echoes(TELEGRAM)}"}
    ).encode()

    config = tmp_path / "warroom.toml"
    config.write_text(
        f'[[health.endpoints]]\nname = "api"\nurl = "{tenant.base}/api/v1/health"\n'
        f'[notify]\nchannels = ["slack", "telegram"]\n'
        f'[notify.slack]\nwebhook_url_env = "{SLACK_ENV}"\n'
        f'[notify.telegram]\nbot_token_env = "{TELEGRAM_ENV}"\nchat_id = "-100"\n'
        f'api_url = "{telegram.base}"\n'
        f'[mitigations.tenant_admin]\nurl = "{tenant.base}/admin/tenants"\n'
        f'token_env = "{TENANT_ENV}"\n'
        f'[github]\ntoken_env = "{GITHUB_ENV}"\napi_url = "{github.base}"\n'
    )
    for name in list(os.environ):
        if name.startswith("WARROOM_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("WARROOM_USER", "ana")
    monkeypatch.setenv(TENANT_ENV, TENANT)
    monkeypatch.setenv(GITHUB_ENV, GITHUB)
    monkeypatch.setenv(SLACK_ENV, slack_url)
    monkeypatch.setenv(TELEGRAM_ENV, TELEGRAM)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "journal" / "warroom.db"
    common = ["--db", str(db), "--config", str(config)]
    outputs: list[tuple[str, str]] = []
    journal_bytes: list[bytes] = []

    def run(*args: str, expect: int = 0) -> str:
        code = main([*args, *common])
        out, err = capsys.readouterr()
        outputs.append((f"warroom {' '.join(args)} (stdout)", out))
        outputs.append((f"warroom {' '.join(args)} (stderr)", err))
        for path in db.parent.glob(db.name + "*"):  # the journal, -wal and -shm
            journal_bytes.append(path.read_bytes())
        assert code == expect, f"warroom {' '.join(args)} exited {code}: {out}{err}"
        return out + err

    # A careless user pastes secrets into the timeline.
    run("declare", "--title", "API 500s", "--severity", "SEV-2", "--note", f"hook {slack_url}")
    run("event", "note", f"pasted {TENANT} and {GITHUB} by mistake")
    run("severity", "SEV-1", f"bot {TELEGRAM} spams")
    asyncio.run(add_action_item(db))

    # Errors that quote what was typed: pasted into the wrong argument.
    run("mitigate", "run", "suspend-tenant", "--target", TENANT, "--yes", expect=2)
    run("action-items", "export", "--github", GITHUB, expect=2)
    run("mitigate", "run", "suspend-tenant", "--target", "acme", "--yes", expect=1)
    run("mitigate", "run", "unsuspend-tenant", "--target", "acme", "--yes", expect=1)
    run("update", "--post", "--text", "Investigating the 500s.", expect=1)
    run("outbox", "list")
    run("outbox", "list", "--json")
    run("outbox", "retry", expect=1)
    run("action-items", "export", "--github", "acme/backend")
    run("action-items", "list")
    run("action-items", "list", "--json")
    for fmt in ("csv", "json"):
        run("action-items", "export", "--format", fmt)
        run("action-items", "export", "--format", fmt, "-o", str(tmp_path / f"items.{fmt}"))
    run("check", expect=1)
    run("event", "resolved", "tenant back")
    run("list")
    run("list", "--json")
    shown = run("show", "1")
    run("show", "1", "--json")
    run("export", "1")
    run("export", "1", "-o", str(tmp_path / "postmortem.md"))
    run("report")
    run("report", "--json")
    run("report", "-o", str(tmp_path / "report.md"))

    exports = [
        p for p in tmp_path.iterdir() if p.is_file() and p.suffix in (".md", ".csv", ".json")
    ]
    assert len(exports) == 4
    texts = [*outputs, *((str(p), p.read_text()) for p in exports)]
    found = [
        f"{who}'s {form!r} in {where}"
        for who, values in secrets.items()
        for form in values
        for where, text in texts
        if form in text
    ]
    found += [
        f"{who}'s {form!r} in the journal"
        for who, values in secrets.items()
        for form in values
        if any(form.encode() in blob for blob in journal_bytes)
    ]
    assert not found, "\n".join(found)
    # Not vacuous: the echoes were there and were taken out.
    assert "[redacted]" in shown
    assert "HTTP 500" in shown and "https://github.com/acme/backend/issues/1" in "".join(
        text for _, text in outputs
    )


async def add_action_item(db: Path) -> None:
    """The console adds action items; there is no CLI command for it."""
    journal = await SqliteJournal.open(db)
    room = WarRoom(journal, author="ana", runbook=load_runbook())
    try:
        [incident] = await room.incidents()
        assert incident.severity is Severity.SEV1
        await room.add_action_item(incident.id, "Alarm on tenant admin 5xx", owner="bo")
    finally:
        await room.close()
