"""Team-channel posts: a Slack incoming webhook or the Telegram Bot API, over httpx.

A post never raises for a network problem: it answers with a PostResult saying what happened.
The webhook URL and the bot token are secrets read from the environment; they never appear in
a result, an escaping exception or a log record (httpx logs every request's URL at INFO).
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
from warroom.sanitize import safe_line
from warroom.sources.status import describe_error

DEFAULT_TIMEOUT = 10.0
BODY_EXCERPT = 200
NO_CHANNEL = "no team channel configured ([notify] channel)"
REDACTED = "[redacted]"
_MIN_PARTIAL = 8

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
    secrets: tuple[str, ...]


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
        with _scrubbed_logs(request.secrets):
            response = await _send(request, client, timeout)
        status = response.status_code
        ok, detail = _judge(config, channel, request, response)
    except (TimeoutError, httpx.TimeoutException):
        ok, detail = False, f"timeout: no answer within {timeout:g}s"
    except Exception as exc:  # refused, DNS, TLS, protocol errors: said, never raised
        ok, detail = False, describe_error(exc)
    return PostResult(ok, channel, status, safe_line(_scrub(detail, request.secrets), limit=300))


def _slack_request(config: NotifyConfig, text: str, env: Mapping[str, str]) -> _Request | str:
    name = config.slack.webhook_url_env
    url = env.get(name, "").strip()
    if not url:
        return f"${name} is not set: put the Slack incoming-webhook URL in it ([notify.slack])"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"${name} does not hold an http(s) URL for the Slack incoming webhook"
    secrets = [url, parts.path, parts.query, *parts.path.split("/")]
    return _Request(url, {"text": _slack_escape(text)}, _long(secrets))


def _telegram_request(config: NotifyConfig, text: str, env: Mapping[str, str]) -> _Request | str:
    name = config.telegram.bot_token_env
    token = env.get(name, "").strip()
    if not token:
        return f"${name} is not set: put the Telegram bot token in it ([notify.telegram])"
    if not _TOKEN.fullmatch(token):
        return f"${name} does not look like a Telegram bot token (digits:letters)"
    if not config.telegram.chat_id.strip():
        return "no Telegram chat configured ([notify.telegram] chat_id)"
    api = config.telegram.api_url.rstrip("/")
    url = f"{api}/bot{token}/sendMessage"
    payload = {"chat_id": config.telegram.chat_id.strip(), "text": text}
    return _Request(url, payload, _long([url, token, *token.split(":")]))


async def _send(
    request: _Request, client: httpx.AsyncClient | None, timeout: float
) -> httpx.Response:
    """POST with one deadline for the whole exchange (connect, send, answer)."""
    async with asyncio.timeout(timeout):
        if client is not None:
            return await client.post(request.url, json=request.payload, timeout=timeout)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as own:
            return await own.post(request.url, json=request.payload)


def _judge(
    config: NotifyConfig, channel: str, request: _Request, response: httpx.Response
) -> tuple[bool, str]:
    status = response.status_code
    if channel == "telegram":
        answer = _json(response)
        if not (isinstance(answer, dict) and "ok" in answer):
            excerpt = _excerpt(response, request.secrets)
            return False, f"unexpected answer from the Telegram Bot API (HTTP {status}){excerpt}"
        if answer["ok"] is True and response.is_success:
            return True, f"posted to Telegram chat {config.telegram.chat_id.strip()}"
        reason = safe_line(str(answer.get("description") or "no reason given"), BODY_EXCERPT)
        return False, f"Telegram refused the message (HTTP {status}): {reason}"
    if response.is_success:
        return True, "posted to Slack"
    return False, f"Slack refused the message (HTTP {status}){_excerpt(response, request.secrets)}"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _excerpt(response: httpx.Response, secrets: tuple[str, ...]) -> str:
    raw = response.content.decode("utf-8", errors="replace")
    body = safe_line(_scrub(raw, secrets), limit=BODY_EXCERPT).strip()
    return f": {body}" if body else ""


def _slack_escape(text: str) -> str:
    """Slack reads <...> as links and mentions (<!channel>); these three are its escapes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _long(values: list[str]) -> tuple[str, ...]:
    """The secret and its parts worth hiding (long ones: "/" or "services" would hide too much),
    longest first so a whole URL goes before its pieces."""
    kept = {v for v in values if len(v) >= 12}
    return tuple(sorted(kept, key=lambda v: (-len(v), v)))


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Each secret out of `text`, also one cut short by a length limit (a run of at least 8
    characters matching its start); not so for whole URLs, whose start is just the host."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
        if "://" in secret:
            continue
        head = secret[:_MIN_PARTIAL]
        start = text.find(head)
        while start != -1:
            end = start + len(head)
            while (
                end < len(text) and end - start < len(secret) and text[end] == secret[end - start]
            ):
                end += 1
            text = text[:start] + REDACTED + text[end:]
            start = text.find(head, start + len(REDACTED))
    return text


class _ScrubFilter(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = _scrub(message, self.secrets)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


@contextmanager
def _scrubbed_logs(secrets: tuple[str, ...]) -> Iterator[None]:
    """While posting, the HTTP libraries' log records have the secrets taken out."""
    scrub = _ScrubFilter(secrets)
    loggers = [logging.getLogger(name) for name in _HTTP_LOGGERS]
    for logger in loggers:
        logger.addFilter(scrub)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(scrub)
