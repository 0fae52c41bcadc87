"""Secrets known by value (sanitize.py's registry): the forms a server echoes them in, what is
too short to hide, who registers them, and the journal and CLI output that consult them."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from warroom import sanitize
from warroom.config import load_config
from warroom.model import Kind, Scope
from warroom.sanitize import (
    MIN_SECRET,
    REDACTED,
    redact,
    redact_data,
    redact_secrets,
    redacted_output,
    register_secret,
    safe_line,
    secret_from_env,
)
from warroom.severity import Severity

TOKEN = "tadm/9Qx7+Lw2Rk5=Vz8Np3Hs6Jd"  # '/', '+', '=': its encoded forms differ from it
HOOK_KEY = "Sk9Wq2Ez7Rt4Yu1Io8Pa5Sd3"
HOOK = f"https://hooks.slack.com/services/T0AB1CD2E/B0FG3HI4J/{HOOK_KEY}"


@pytest.fixture(autouse=True)
def known_nothing() -> Iterator[None]:
    sanitize.forget_secrets()
    yield
    sanitize.forget_secrets()


def lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), text)


@pytest.mark.parametrize(
    "form",
    [
        TOKEN,
        quote(TOKEN, safe=""),
        lower_hex(quote(TOKEN, safe="")),
        quote(TOKEN),  # '/' left as is
        quote_plus(TOKEN),
        lower_hex(quote_plus(TOKEN)),
        json.dumps(TOKEN)[1:-1].replace("/", "\\/"),  # PHP's json_encode
        json.dumps(quote(TOKEN))[1:-1].replace("/", "\\/"),
        TOKEN[:MIN_SECRET],  # cut short by whoever echoed it
        TOKEN[:-3],
        quote(TOKEN, safe="")[:-5],
    ],
)
def test_every_form_of_a_known_secret_goes(form: str):
    register_secret(TOKEN)
    text = f"401 for {form}: denied"
    assert redact_secrets(text) == f"401 for {REDACTED}: denied"
    # Inside a URL, JSON or a bearer header as well.
    for wrapper in (
        "https://admin.example.com/x?token={}&y=1",
        '{{"error": "bad token {}"}}',
        "Authorization: Bearer {}",
    ):
        assert REDACTED in redact_secrets(wrapper.format(form))
        assert TOKEN[:MIN_SECRET] not in redact_secrets(wrapper.format(form))


def test_json_and_html_escapes_of_a_url_with_a_query():
    url = f"https://hooks.example.com/in?id=7&key={HOOK_KEY}"
    register_secret(url)
    go = json.dumps(url)[1:-1].replace("&", "\\u0026")  # Go's encoding/json
    for form in (url, go, go.replace("/", "\\/"), url.replace("&", "&amp;")):
        assert redact_secrets(f"<a href='{form}'>") == f"<a href='{REDACTED}'>"


def test_a_url_secret_goes_whole_and_by_its_key():
    register_secret(HOOK)
    path = HOOK.removeprefix("https://hooks.slack.com")
    assert redact_secrets(f"no_service: {HOOK}") == f"no_service: {REDACTED}"
    assert redact_secrets(quote(HOOK, safe="")) == REDACTED
    assert redact_secrets(f"POST {path} 404") == f"POST {REDACTED} 404"
    assert redact_secrets(f"bad key {HOOK_KEY}.") == f"bad key {REDACTED}."
    assert redact_secrets(f"bad key {HOOK_KEY[:10]}…") == f"bad key {REDACTED}…"
    # Its start is only a host, and its short parts are ids and words: they stay.
    kept = "see https://hooks.slack.com/services/T0AB1CD2E and /services/ B0FG3HI4J"
    assert redact_secrets(kept) == kept


def test_a_bot_token_goes_whole_and_by_its_secret_half():
    bot = "7123456789:AAEt5Yq8Wz1Lk4Xc7Vb0Nm3As6Df9Gh2Jk"
    register_secret(bot)
    assert redact_secrets(f"/bot{bot}/sendMessage") == f"/bot{REDACTED}/sendMessage"
    assert redact_secrets(f"token ...:{bot.split(':')[1]}") == f"token ...:{REDACTED}"


@pytest.mark.parametrize("short", ["", "x", "abc", "test", "1234567", " padded "])
def test_values_under_eight_characters_are_not_hidden(short: str):
    """A 1-7 character value hidden everywhere would mangle ordinary text ("test" in every
    line); real tokens are 20 to 100 characters."""
    register_secret(short)
    assert sanitize.known_secrets() == frozenset()
    text = "a test of 1234567 abc x padded"
    assert redact_secrets(text) == text


def test_eight_characters_are_enough_and_surrounding_spaces_do_not_count():
    register_secret("  s3cr3t!!  ")
    assert sanitize.known_secrets() == {"s3cr3t!!"}
    assert redact_secrets("pw=s3cr3t!! ok") == f"pw={REDACTED} ok"


def test_a_short_secret_goes_only_whole():
    register_secret("password123")
    assert redact_secrets("password123 or password12") == f"{REDACTED} or password12"
    assert redact_secrets("password reset") == "password reset"


def test_unknown_text_is_left_alone():
    register_secret(TOKEN)
    text = "tadm/9Q is a start under eight, Lw2Rk5=Vz8 a middle, and %2F just a slash"
    assert redact_secrets(text) == text
    assert redact_secrets("") == ""


def test_redact_and_safe_line_consult_the_registry():
    register_secret(TOKEN)
    assert redact(f"body: {TOKEN}") == f"body: {REDACTED}"
    assert safe_line(f"ERROR\tauth {quote(TOKEN, safe='')}\n") == f"ERROR    auth {REDACTED}"


def test_safe_line_keeps_no_piece_of_a_secret_its_window_cut():
    """Redaction shortens the text, so the kept part can reach past the window's end: the
    window grows until it does not."""
    big = "B" * 160
    register_secret(big)
    register_secret(TOKEN)
    # A fixed window of limit + 300 would end 3 characters into TOKEN, and the two big ones
    # shrink to 10 characters each, so the kept 50 would end with those 3.
    text = f"{big} {big} " + "f" * 25 + TOKEN + " trailing" * 100
    assert len(f"{big} {big} " + "f" * 25) + 3 == 50 + 300
    line = safe_line(text, limit=50)
    assert line.startswith(f"{REDACTED} {REDACTED} fffff")
    assert TOKEN[:3] not in line


def test_redact_data_walks_keys_values_and_lists():
    register_secret(TOKEN)
    data = {"url": f"x?t={TOKEN}", TOKEN: [1, None, True, (TOKEN,)], "n": 2.5}
    assert redact_data(data) == {
        "url": f"x?t={REDACTED}",
        REDACTED: [1, None, True, (REDACTED,)],
        "n": 2.5,
    }


def test_secret_from_env_reads_and_registers():
    env = {"ACME_TOKEN": f"  {TOKEN}\n", "EMPTY": ""}
    assert secret_from_env("ACME_TOKEN", env) == TOKEN
    assert secret_from_env("EMPTY", env) == ""
    assert secret_from_env("UNSET", env) == ""
    assert sanitize.known_secrets() == {TOKEN}


def test_loading_the_config_registers_what_every_env_key_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    config = tmp_path / "warroom.toml"
    config.write_text(
        '[notify.slack]\nwebhook_url_env = "ACME_HOOK"\n'
        '[mitigations.tenant_admin]\ntoken_env = "ACME_ADMIN"\n'
        '[github]\ntoken_env = "ACME_GH"\n'
    )
    values = {
        "ACME_HOOK": HOOK,
        "ACME_ADMIN": TOKEN,
        "ACME_GH": "ghp_Gh7Tq2Wz9Lk4Xc1Vb8Nm5As3Df6Jh0Ky2Pq",
        "WARROOM_TELEGRAM_BOT_TOKEN": "7123456789:AAEt5Yq8Wz1Lk4Xc7Vb0Nm3As6Df9Gh2Jk",  # default
        "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH",
        "GITHUB_TOKEN": "ghp_NotNamedByThisConfig0000000000000000",  # the config names ACME_GH
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    load_config(str(config))
    del values["GITHUB_TOKEN"]
    assert sanitize.known_secrets() == set(values.values())


def test_even_with_no_config_file_the_default_variables_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nothing"))
    monkeypatch.setenv("WARROOM_TENANT_ADMIN_TOKEN", TOKEN)
    load_config()
    assert TOKEN in sanitize.known_secrets()


async def test_the_journal_never_stores_a_known_secret(room, db: Path):
    register_secret(TOKEN)
    register_secret(HOOK)
    encoded = quote(TOKEN, safe="")
    incident = await room.declare(
        f"leak {TOKEN}", Severity.SEV2, scope=Scope((f"t-{TOKEN}",), ()), note=HOOK
    )
    event = await room.log(
        Kind.ACTION,
        f"HTTP 500: {encoded}",
        incident_id=incident,
        auto=True,
        data={"detail": f"echo {TOKEN}", TOKEN: [HOOK, {"deep": f'"{TOKEN}"'}], "n": 1},
    )
    assert event.text == f"HTTP 500: {REDACTED}"  # what is returned is what was stored
    assert event.data == {
        "detail": f"echo {REDACTED}",
        REDACTED: [REDACTED, {"deep": f'"{REDACTED}"'}],
        "n": 1,
    }
    item = await room.add_action_item(incident, f"rotate {TOKEN}", owner="bo")
    updated = await room.journal.update_action_item(
        item.id, external_url=f"https://github.com/a/b/issues/1?t={TOKEN}"
    )
    assert updated.external_url == f"https://github.com/a/b/issues/1?t={REDACTED}"
    await room.set_postmortem_field(incident, "root_cause", f"the token {TOKEN}")
    await room.amend(event.id, text=f"amended {TOKEN}")
    await room.change_severity(Severity.SEV1, incident_id=incident, reason=HOOK)
    await room.journal.queue_posts(
        incident, ["slack"], f"update {TOKEN}", author="ana", at=room.now(), lease_until=room.now()
    )
    await room.journal.post_failed(1, attempt=1, error=f"404 {HOOK}", retry_at=room.now())

    shown = await room.incident(incident)  # still reads: no JSON was broken
    assert shown.title == f"leak {REDACTED}" and shown.scope.tenants == (f"t-{REDACTED}",)
    [message] = await room.outbox()
    assert message.text == f"update {REDACTED}" and message.last_error == f"404 {REDACTED}"
    blob = b"".join(p.read_bytes() for p in db.parent.iterdir())  # the journal, -wal, -shm
    for form in (TOKEN, encoded, HOOK, HOOK_KEY, json.dumps(TOKEN)[1:-1]):
        assert form.encode() not in blob
    assert REDACTED.encode() in blob


def test_cli_output_streams_are_redacted_and_restored(capsys: pytest.CaptureFixture[str]):
    register_secret(TOKEN)
    out, err = sys.stdout, sys.stderr
    with redacted_output():
        print(f"stdout {TOKEN}")
        print(f"stderr {quote(TOKEN, safe='')}", file=sys.stderr, flush=True)
        sys.stdout.write(f"{TOKEN}\n")
        assert sys.stdout.isatty() is out.isatty()
    assert (sys.stdout, sys.stderr) == (out, err)
    captured = capsys.readouterr()
    assert captured.out == f"stdout {REDACTED}\n{REDACTED}\n"
    assert captured.err == f"stderr {REDACTED}\n"


def test_a_redacting_stream_reports_what_it_was_given():
    register_secret(TOKEN)
    target = io.StringIO()
    stream = sanitize.RedactingStream(target)
    assert stream.write(TOKEN) == len(TOKEN)
    assert target.getvalue() == REDACTED
