"""Team-channel posts: a Slack incoming webhook or the Telegram Bot API, over httpx.

A post never raises for a network problem: it answers with a PostResult saying what happened.
The webhook URL and the bot token are secrets read from the environment and registered with
sanitize.py; they never appear in a result, an escaping exception or a log record (httpx logs
every request's URL at INFO).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from warroom.config import NotifyConfig
from warroom.sanitize import redact_secrets, register_secret, safe_line, secret_from_env
from warroom.sources.status import describe_error
from warroom.tls import tls_context

DEFAULT_TIMEOUT = 10.0
BODY_EXCERPT = 200
NO_CHANNEL = "no team channel configured ([notify] channel)"

_TOKEN = re.compile(r"[A-Za-z0-9:_-]+")
# Loggers that may print a request's URL (httpx: "HTTP Request: POST <url> ...").
_HTTP_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


@dataclass(frozen=True)
class PostResult:
    ok: bool
    channel: str
    status: int | None  # the HTTP status, when there was an answer
    detail: str


@dataclass(frozen=True)
class _Request:
    url: str
    payload: dict[str, Any]


async def post_update(
    config: NotifyConfig,
    text: str,
    *,
    channel: str | None = None,
    client: httpx.AsyncClient | None = None,
    env: Mapping[str, str] = os.environ,
    timeout: float = DEFAULT_TIMEOUT,
) -> PostResult:
    """Post `text` to `channel` (default: the configured one); never raises for a network
    problem."""
    channel = channel or config.channel
    if channel == "none":
        return PostResult(False, "none", None, NO_CHANNEL)
    if not text.strip():
        return PostResult(False, channel, None, "nothing to post: the update is empty")
    if channel == "slack":
        request = _slack_request(config, text, env)
    elif channel == "telegram":
        request = _telegram_request(config, text, env)
    else:
        return PostResult(False, channel, None, f"unknown team channel {channel!r}")
    if isinstance(request, str):
        return PostResult(False, channel, None, request)

    status: int | None = None
    try:
        with _scrubbed_logs():
            response = await _send(request, client, timeout)
        status = response.status_code
        ok, detail = _judge(config, channel, request, response)
    except (TimeoutError, httpx.TimeoutException):
        ok, detail = False, f"timeout: no answer within {timeout:g}s"
    except Exception as exc:  # refused, DNS, TLS, protocol errors: said, never raised
        ok, detail = False, describe_error(exc)
    return PostResult(ok, channel, status, safe_line(detail, limit=300))


def _slack_request(config: NotifyConfig, text: str, env: Mapping[str, str]) -> _Request | str:
    name = config.slack.webhook_url_env
    url = secret_from_env(name, env)
    if not url:
        return f"${name} is not set: put the Slack incoming-webhook URL in it ([notify.slack])"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"${name} does not hold an http(s) URL for the Slack incoming webhook"
    return _Request(url, {"text": _slack_escape(text)})


def _telegram_request(config: NotifyConfig, text: str, env: Mapping[str, str]) -> _Request | str:
    name = config.telegram.bot_token_env
    token = secret_from_env(name, env)
    if not token:
        return f"${name} is not set: put the Telegram bot token in it ([notify.telegram])"
    if not _TOKEN.fullmatch(token):
        return f"${name} does not look like a Telegram bot token (digits:letters)"
    if not config.telegram.chat_id.strip():
        return "no Telegram chat configured ([notify.telegram] chat_id)"
    api = config.telegram.api_url.rstrip("/")
    url = f"{api}/bot{token}/sendMessage"
    register_secret(url)  # it holds the token: an echo of it goes whole
    payload = {"chat_id": config.telegram.chat_id.strip(), "text": text}
    return _Request(url, payload)


async def _send(
    request: _Request, client: httpx.AsyncClient | None, timeout: float
) -> httpx.Response:
    """POST with one deadline for the whole exchange (connect, send, answer)."""
    async with asyncio.timeout(timeout):
        if client is not None:
            return await client.post(request.url, json=request.payload, timeout=timeout)
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, verify=tls_context()
        ) as own:
            return await own.post(request.url, json=request.payload)


def _judge(
    config: NotifyConfig, channel: str, request: _Request, response: httpx.Response
) -> tuple[bool, str]:
    status = response.status_code
    if channel == "telegram":
        answer = _json(response)
        if not (isinstance(answer, dict) and "ok" in answer):
            excerpt = _excerpt(response)
            return False, f"unexpected answer from the Telegram Bot API (HTTP {status}){excerpt}"
        if answer["ok"] is True and response.is_success:
            return True, f"posted to Telegram chat {config.telegram.chat_id.strip()}"
        reason = safe_line(str(answer.get("description") or "no reason given"), BODY_EXCERPT)
        return False, f"Telegram refused the message (HTTP {status}): {reason}"
    if response.is_success:
        return True, "posted to Slack"
    return False, f"Slack refused the message (HTTP {status}){_excerpt(response)}"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _excerpt(response: httpx.Response) -> str:
    raw = response.content.decode("utf-8", errors="replace")
    body = safe_line(raw, limit=BODY_EXCERPT).strip()
    return f": {body}" if body else ""


def _slack_escape(text: str) -> str:
    """Slack reads <...> as links and mentions (<!channel>); these three are its escapes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = redact_secrets(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


@contextmanager
def _scrubbed_logs() -> Iterator[None]:
    """While posting, the HTTP libraries' log records have the known secrets taken out."""
    scrub = _ScrubFilter()
    loggers = [logging.getLogger(name) for name in _HTTP_LOGGERS]
    for logger in loggers:
        logger.addFilter(scrub)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(scrub)
