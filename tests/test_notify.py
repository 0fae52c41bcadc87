"""Team-channel posts against real HTTP servers on 127.0.0.1: Slack webhooks, the Telegram Bot
API, and everything that goes wrong on the way, without a secret ever showing."""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest

from warroom.config import NotifyConfig, SlackConfig, TelegramConfig
from warroom.notify import NO_CHANNEL, PostResult, post_update

from .helpers.loopback import Loopback

SLACK_ENV = "WARROOM_SLACK_WEBHOOK_URL"
TELEGRAM_ENV = "WARROOM_TELEGRAM_BOT_TOKEN"
SLACK_PATH = "/services/T0AB1CD2E/B0FG3HI4J/Zq8wXy7Vt6Us5Rr4Qp3Oo2Nn"
SLACK_SECRET = "Zq8wXy7Vt6Us5Rr4Qp3Oo2Nn"
TOKEN_SECRET = "AAHf9kPz-Q7rLm2_xWv8NcB4tYs6JdE1uGo"
TOKEN = f"612345789:{TOKEN_SECRET}"
CHAT = "-1001234567890"
TEXT = "[INC-7 SEV-1] API returns 500s after deploy\nInvestigating CloudWatch alarm api-5xx."


@pytest.fixture
def server(loopback: Loopback) -> Loopback:
    return loopback


def slack() -> NotifyConfig:
    return NotifyConfig(channel="slack", slack=SlackConfig(webhook_url_env=SLACK_ENV))


def telegram(api_url: str, chat_id: str = CHAT) -> NotifyConfig:
    return NotifyConfig(
        channel="telegram",
        telegram=TelegramConfig(bot_token_env=TELEGRAM_ENV, chat_id=chat_id, api_url=api_url),
    )


def telegram_answer(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def assert_no_secret(text: str) -> None:
    for secret in (SLACK_PATH, SLACK_SECRET, TOKEN, TOKEN_SECRET, TOKEN_SECRET[:8]):
        assert secret not in text


# Slack ---------------------------------------------------------------------------------------


async def test_slack_posts_the_text_as_json(server: Loopback):
    env = {SLACK_ENV: server.base + SLACK_PATH}
    result = await post_update(slack(), TEXT, env=env)
    assert result == PostResult(ok=True, channel="slack", status=200, detail="posted to Slack")
    [request] = server.received
    assert request.method == "POST"
    assert request.path == SLACK_PATH
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"text": TEXT}


async def test_slack_mentions_and_links_arrive_as_plain_text(server: Loopback):
    env = {SLACK_ENV: server.base + SLACK_PATH}
    result = await post_update(slack(), "<!channel> see <http://x|here> & retry", env=env)
    assert result.ok
    assert server.received[0].json() == {
        "text": "&lt;!channel&gt; see &lt;http://x|here&gt; &amp; retry"
    }


async def test_slack_server_error_is_a_failure_with_the_body(server: Loopback):
    server.status = 500
    server.body = b"internal_error\x1b[31m\n"
    result = await post_update(slack(), TEXT, env={SLACK_ENV: server.base + SLACK_PATH})
    assert result == PostResult(
        ok=False,
        channel="slack",
        status=500,
        detail="Slack refused the message (HTTP 500): internal_error",
    )


async def test_slack_long_error_body_is_cut(server: Loopback):
    server.status = 400
    server.body = b"invalid_payload " + b"x" * 5000
    result = await post_update(slack(), TEXT, env={SLACK_ENV: server.base + SLACK_PATH})
    assert not result.ok and result.status == 400
    assert result.detail.startswith("Slack refused the message (HTTP 400): invalid_payload xxx")
    assert len(result.detail) < 300


async def test_slack_webhook_echoed_back_is_redacted(server: Loopback):
    server.status = 404
    server.body = lambda path: f"no_service: {server.base}{path} ({path})".encode()
    result = await post_update(slack(), TEXT, env={SLACK_ENV: server.base + SLACK_PATH})
    assert not result.ok and result.status == 404
    assert "[redacted]" in result.detail
    assert_no_secret(result.detail)


# Telegram ------------------------------------------------------------------------------------


async def test_telegram_sends_the_message_to_the_chat(server: Loopback):
    server.content_type = "application/json"
    server.body = telegram_answer(ok=True, result={"message_id": 42})
    result = await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert result == PostResult(
        ok=True, channel="telegram", status=200, detail=f"posted to Telegram chat {CHAT}"
    )
    [request] = server.received
    assert request.method == "POST"
    assert request.path == f"/bot{TOKEN}/sendMessage"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {"chat_id": CHAT, "text": TEXT}


async def test_telegram_api_url_with_a_trailing_slash(server: Loopback):
    server.body = telegram_answer(ok=True, result={})
    result = await post_update(telegram(server.base + "/"), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert result.ok
    assert server.received[0].path == f"/bot{TOKEN}/sendMessage"


async def test_telegram_refusal_gives_its_description(server: Loopback):
    server.status = 400
    server.body = telegram_answer(
        ok=False, error_code=400, description="Bad Request: chat not found"
    )
    result = await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert result == PostResult(
        ok=False,
        channel="telegram",
        status=400,
        detail="Telegram refused the message (HTTP 400): Bad Request: chat not found",
    )


async def test_telegram_not_ok_with_status_200_is_a_failure(server: Loopback):
    server.body = telegram_answer(ok=False, description="Forbidden: bot was kicked")
    result = await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert not result.ok
    assert result.status == 200
    assert result.detail == "Telegram refused the message (HTTP 200): Forbidden: bot was kicked"


async def test_telegram_answer_that_is_not_json(server: Loopback):
    server.status = 502
    server.body = b"<html>Bad Gateway</html>"
    result = await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert not result.ok and result.status == 502
    assert result.detail == (
        "unexpected answer from the Telegram Bot API (HTTP 502): <html>Bad Gateway</html>"
    )


async def test_telegram_token_echoed_back_is_redacted_even_when_cut(server: Loopback):
    server.status = 404
    server.body = lambda path: telegram_answer(ok=False, description=f"{server.base}{path}")
    result = await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert result.detail == "Telegram refused the message (HTTP 404): [redacted]"
    # The description is cut at 200 characters: here inside the token, which still goes.
    server.body = telegram_answer(ok=False, description="p" * 180 + TOKEN)
    result = await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert not result.ok and result.status == 404
    assert result.detail.endswith(f"ppp[redacted]… [cut {180 + len(TOKEN) - 200} chars]")
    assert_no_secret(result.detail)
    server.body = lambda path: f"{'p' * 180}{path}".encode()
    result = await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert result.detail.startswith("unexpected answer from the Telegram Bot API (HTTP 404): ppp")
    assert_no_secret(result.detail)


async def test_telegram_without_a_chat_id_posts_nothing(server: Loopback):
    result = await post_update(telegram(server.base, chat_id=""), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert result == PostResult(
        False, "telegram", None, "no Telegram chat configured ([notify.telegram] chat_id)"
    )
    assert server.received == []


async def test_a_token_that_would_change_the_url_is_refused(server: Loopback):
    env = {TELEGRAM_ENV: "123:abc/../../other?x=1"}
    result = await post_update(telegram(server.base), TEXT, env=env)
    assert not result.ok
    assert (
        result.detail == f"${TELEGRAM_ENV} does not look like a Telegram bot token (digits:letters)"
    )
    assert "abc" not in result.detail
    assert server.received == []


# Nothing to post to --------------------------------------------------------------------------


async def test_channel_none():
    result = await post_update(NotifyConfig(), TEXT, env={})
    assert result == PostResult(
        ok=False,
        channel="none",
        status=None,
        detail="no team channel configured ([notify] channel)",
    )
    assert result.detail == NO_CHANNEL


async def test_missing_environment_variables_are_named(server: Loopback):
    result = await post_update(slack(), TEXT, env={})
    assert result == PostResult(
        False,
        "slack",
        None,
        f"${SLACK_ENV} is not set: put the Slack incoming-webhook URL in it ([notify.slack])",
    )
    result = await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: "  "})
    assert result == PostResult(
        False,
        "telegram",
        None,
        f"${TELEGRAM_ENV} is not set: put the Telegram bot token in it ([notify.telegram])",
    )
    assert server.received == []


async def test_a_webhook_variable_that_is_not_a_url_is_not_shown():
    result = await post_update(slack(), TEXT, env={SLACK_ENV: "xoxb-not-a-url-" + SLACK_SECRET})
    assert not result.ok
    assert SLACK_ENV in result.detail
    assert_no_secret(result.detail)


async def test_empty_text_is_not_posted(server: Loopback):
    result = await post_update(slack(), " \n", env={SLACK_ENV: server.base + SLACK_PATH})
    assert result == PostResult(False, "slack", None, "nothing to post: the update is empty")
    assert server.received == []


# The network failing -------------------------------------------------------------------------


async def test_server_down_is_connection_refused(closed_port: int):
    base = f"http://127.0.0.1:{closed_port}"
    result = await post_update(slack(), TEXT, env={SLACK_ENV: base + SLACK_PATH})
    assert result == PostResult(False, "slack", None, "connection refused")
    result = await post_update(telegram(base), TEXT, env={TELEGRAM_ENV: TOKEN})
    assert result == PostResult(False, "telegram", None, "connection refused")


async def test_timeout(server: Loopback):
    server.delay = 30.0
    started = time.perf_counter()
    result = await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: TOKEN}, timeout=0.2)
    elapsed = time.perf_counter() - started
    assert result == PostResult(False, "telegram", None, "timeout: no answer within 0.2s")
    assert elapsed < server.delay  # gave up on its own, not when the server answered
    assert_no_secret(result.detail)


async def test_a_client_of_the_callers_own_is_used_and_left_open(server: Loopback):
    server.body = telegram_answer(ok=True, result={})
    async with httpx.AsyncClient() as client:
        first = await post_update(
            telegram(server.base), TEXT, client=client, env={TELEGRAM_ENV: TOKEN}
        )
        second = await post_update(
            slack(), TEXT, client=client, env={SLACK_ENV: server.base + SLACK_PATH}
        )
        assert not client.is_closed
    assert first.ok and second.ok
    assert [r.path for r in server.received] == [f"/bot{TOKEN}/sendMessage", SLACK_PATH]


async def test_secrets_stay_out_of_the_logs(
    server: Loopback, closed_port: int, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    server.body = telegram_answer(ok=True, result={})
    await post_update(telegram(server.base), TEXT, env={TELEGRAM_ENV: TOKEN})
    await post_update(slack(), TEXT, env={SLACK_ENV: server.base + SLACK_PATH})
    await post_update(telegram(f"http://127.0.0.1:{closed_port}"), TEXT, env={TELEGRAM_ENV: TOKEN})
    messages = [record.getMessage() for record in caplog.records]
    assert any("HTTP Request: POST" in m for m in messages)  # httpx did log the requests
    for message in messages:
        assert_no_secret(message)
    assert logging.getLogger("httpx").filters == []  # the scrubbing filter is gone afterwards
