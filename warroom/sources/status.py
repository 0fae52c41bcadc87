"""How a feed is doing: ok or failing with a human reason, and the age of its last good data;
and how a feed's polls become a stream (poll_every, merged)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from warroom.backoff import backoff
from warroom.sanitize import safe_line


@dataclass(frozen=True)
class SourceStatus:
    name: str
    ok: bool | None = None  # None: not tried yet
    reason: str = ""
    last_ok_at: datetime | None = None
    last_attempt_at: datetime | None = None
    latency: float | None = None  # seconds the last attempt took
    failures: int = 0  # in a row

    def succeeded(self, at: datetime, latency: float) -> SourceStatus:
        return replace(
            self,
            ok=True,
            reason="",
            last_ok_at=at,
            last_attempt_at=at,
            latency=latency,
            failures=0,
        )

    def failed(self, at: datetime, reason: str, latency: float | None = None) -> SourceStatus:
        return replace(
            self,
            ok=False,
            reason=reason,
            last_attempt_at=at,
            latency=latency,
            failures=self.failures + 1,
        )

    def age(self, now: datetime) -> timedelta | None:
        """How old the last good data is (None: never had any)."""
        return None if self.last_ok_at is None else now - self.last_ok_at


_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
}


# The AWS profile the process's clients use (AwsClients says, when it makes its session): an
# expired SSO login is fixed by `aws sso login` with exactly that profile, and every panel and
# `warroom check` say so. One per process: the config names one profile.
_profile_in_use = ""


def use_profile(name: str) -> None:
    global _profile_in_use
    _profile_in_use = name


def sso_login_hint() -> str:
    """The command that logs in again, with the profile in use."""
    profile = _profile_in_use
    return f"aws sso login --profile {profile}" if profile else "aws sso login"


def is_throttling(exc: BaseException) -> bool:
    import botocore.exceptions

    return isinstance(exc, botocore.exceptions.ClientError) and (
        exc.response.get("Error", {}).get("Code") in _THROTTLED
    )


def describe_error(exc: BaseException) -> str:
    """One short line an on-call engineer can act on."""
    return safe_line(_describe(exc), limit=300)


def _describe(exc: BaseException) -> str:
    # Imported here, not at the top: the console's first frame should not wait for them.
    import botocore.exceptions
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(e, ConnectionRefusedError) for e in _chain(exc)):
            return "connection refused"
        text = " ".join(str(e) for e in _chain(exc)).lower()
        if "refused" in text:
            return "connection refused"
        if "name or service not known" in text or "nodename" in text or "resolve" in text:
            return "DNS lookup failed"
        return f"cannot connect: {exc}"
    if isinstance(exc, httpx.HTTPError):
        return f"HTTP error: {exc}"
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return "no AWS credentials found (environment, profile or instance role)"
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return f"AWS profile not found: {exc.kwargs.get('profile', '')}"
    if isinstance(exc, botocore.exceptions.NoRegionError):
        return "no AWS region configured (set [aws] region)"
    if isinstance(
        exc, botocore.exceptions.ConnectTimeoutError | botocore.exceptions.ReadTimeoutError
    ):
        return "timeout"
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"connection refused: {exc.kwargs.get('endpoint_url', '')}".rstrip(": ")
    if isinstance(exc, botocore.exceptions.TokenRetrievalError | botocore.exceptions.SSOError):
        return f"AWS SSO login expired: run `{sso_login_hint()}`"
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "")
        message = error.get("Message", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in _THROTTLED:
            return "throttled by AWS"
        if code in _EXPIRED:
            return "AWS credentials expired"
        if code in _BAD_CREDENTIALS:
            return "AWS credentials rejected"
        if code in _DENIED:
            return f"access denied: {message}" if message else "access denied"
        if code.endswith("NotFoundException") or code == "ResourceNotFoundException":
            return f"not found: {message}" if message else "not found"
        if status and status >= 500:
            return f"AWS error {status}: {code or message}"
        return f"{code}: {message}" if message else code or str(exc)
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return str(exc)
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return f"{type(exc).__name__}: {exc}"


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes: httpx says "All connection attempts failed" on top of
    the ConnectionRefusedError that an engineer wants to read."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


class _Snapshot(Protocol):
    @property
    def source(self) -> SourceStatus: ...


S = TypeVar("S", bound=_Snapshot)


async def poll_every(poll: Callable[[], Awaitable[S]], interval: float) -> AsyncIterator[S]:
    """A feed's snapshots, one per poll, `interval` seconds apart; longer after failures in a
    row (backoff), so a source that is down is not hammered."""
    while True:
        snapshot = await poll()
        yield snapshot
        await asyncio.sleep(backoff(snapshot.source.failures, interval))


T = TypeVar("T")


async def merged(
    loops: Iterable[Callable[[asyncio.Queue[T]], Coroutine[Any, Any, None]]], *, maxsize: int
) -> AsyncIterator[T]:
    """What several loops put into one queue, as it comes: each loop runs as a task, and all are
    cancelled and awaited when the caller stops iterating (or closes this)."""
    queue: asyncio.Queue[T] = asyncio.Queue(maxsize=maxsize)
    tasks = [asyncio.create_task(loop(queue)) for loop in loops]
    try:
        while True:
            yield await queue.get()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
