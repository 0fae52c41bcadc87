"""Error signatures: each log line's message with its variable parts masked, and a bounded
table of the signatures seen, so a wall of ERROR lines reads as "3 errors, one of them new".

Masking, not template mining: a few regular expressions, each run only when its first character
is in the line, replace the variable parts (numbers with whatever is glued to them, so times,
dates, IPs, durations and `req-85fe` style ids; hex ids and UUIDs; quoted values; `key=value`
values; `user@host`; hex ids inside URL paths) with `<*>`. Measured against drain3 (Drain,
streaming) by benchmarks/bench_signatures.py, on the demo's bad-deploy flood and on samples
shaped like nginx, Apache, PostgreSQL, JVM, HAProxy and syslog lines (tests/helpers/
log_samples.py): both keep the 15 sample templates apart and each whole; on the demo flood
drain3 folds four of the five templates (one per endpoint) into one cluster, masking keeps
them; both group 60,000 to 80,000 lines a CPU-second. Masking's templates never change once
made (drain3's clusters widen as lines come), so a signature's key is stable for NEW and for
the bound; and it adds no dependency. Pure: no I/O, no Textual.
"""

from __future__ import annotations

import re
import string
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

WILDCARD = "<*>"
LIMIT = 1_000  # signatures kept per table; the least recently seen goes first
MINUTES = 60  # per-minute counts kept for the sparkline
MASK_CHARS = 1_000  # a stack trace's head says what it is; the rest costs time, not grouping
KEY_CHARS = 300  # templates longer than this differ in their first 300 characters or not at all
LINES_KEPT = 100_000  # line numbers a --from-file signature lists, at most
_NO_TIME = datetime.min.replace(tzinfo=UTC)  # sorts a file's undated lines first

# Each pattern begins with a literal or a small class, so the scan skips most of a line quickly.
_DOUBLE_QUOTED = re.compile(r'"[^"]*"')
_SINGLE_QUOTED = re.compile(r"'[^'\n]*'")
_VALUE = re.compile(r"=[^\s,;&)\]}\"'<]+")  # the key stays: which key names the template
_AT = re.compile(r"[\w.+-]+@[\w.-]+", re.ASCII)  # emails, postgres' user@database
_PATH_HEX = re.compile(r"/[a-fA-F][0-9a-fA-F]*\d[0-9a-fA-F]*\b")  # /invoices/ab12cd34
# `-85fe` style hex tails; a number and whatever follows it (1200ms, 04:22:52.123Z and
# 10.0.1.5 piece by piece, web3's 3, a UUID from its first digit on). /v1 in an API path stays.
# Only digits and `-` start a match: the scan skips letters in C, three times faster than a
# pattern that may start at a letter (measured).
_NUMBER = re.compile(r"-[0-9a-f]{4,}\b|\d(?<!/v\d)[\w-]*", re.ASCII)
_HEX_LETTERS = "abcdefABCDEF"
_WORD_END = frozenset(string.ascii_letters + string.digits + "_")

_LEADING_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s+")
_PREFIX = re.compile(
    r"^(?:(?:CRITICAL|FATAL|ERROR|WARN(?:ING)?|INFO|DEBUG)\b:?\s*)?(?:\[[^\]]*\]\s*)?"
)
# An exception's class: sqlalchemy.exc.ProgrammingError, java.lang.NullPointerException,
# AIProviderTimeout, psycopg.errors.UndefinedColumn.
_EXCEPTION = re.compile(
    r"\b(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Timeout|Failure|Fault|Refused)\b"
)


def mask(message: str) -> str:
    """The message's template: every variable part replaced by `<*>`."""
    text = message[:MASK_CHARS]
    if '"' in text:
        text = _DOUBLE_QUOTED.sub(WILDCARD, text)
    if "'" in text:
        text = _SINGLE_QUOTED.sub(WILDCARD, text)
    if "=" in text:
        text = _VALUE.sub("=" + WILDCARD, text)
    if "@" in text:
        text = _AT.sub(WILDCARD, text)
    if "/" in text:
        text = _PATH_HEX.sub("/" + WILDCARD, text)
    text = _NUMBER.sub(WILDCARD, text)
    if WILDCARD in text:
        text = _hex_heads(text)
    return text[:KEY_CHARS]


def _hex_heads(text: str) -> str:
    """A hex id that starts with a letter (c3f2a9..., a UUID, a hash) lost only its tail to
    _NUMBER: its head (`c<*>`, `deadbeef<*>`) goes too, when it is the whole token's start."""
    pieces = text.split(WILDCARD)
    changed = False
    for i in range(len(pieces) - 1):
        piece = pieces[i]
        if piece and piece[-1] in _HEX_LETTERS:
            head = piece.rstrip(_HEX_LETTERS)
            if not head or head[-1] not in _WORD_END:
                pieces[i] = head
                changed = True
    return WILDCARD.join(pieces) if changed else text


def distinctive(message: str) -> str:
    """What tells this error apart, first: from the exception's class on (or the message past
    its timestamp, level and request id), then what came before it."""
    text = message
    stamp = _LEADING_STAMP.match(text)
    if stamp:
        text = text[stamp.end() :]
    head = _PREFIX.match(text)
    level_and_id = text[: head.end()] if head else ""
    text = text[len(level_and_id) :]
    found = _EXCEPTION.search(text)
    if found and found.start() > 0:
        before = text[: found.start()].rstrip(" :-(")
        return f"{text[found.start() :]} · {before}" if before else text[found.start() :]
    return text


def minute_of(at: datetime) -> int:
    return int(at.timestamp()) // 60


@dataclass
class Signature:
    """One template and what the table knows about its lines."""

    key: str
    count: int
    first_seen: datetime | None  # None: a file's lines that say no time
    last_seen: datetime | None
    example: str  # the latest line, whole (already sanitised by whoever read it)
    groups: dict[str, int] = field(default_factory=dict)
    minutes: dict[int, int] = field(default_factory=dict)  # minute since the epoch -> lines
    lines: list[int] = field(default_factory=list)  # 1-based line numbers (--from-file)

    @property
    def distinctive(self) -> str:
        return distinctive(self.example)

    def per_minute(self, now: datetime, span: int = 10) -> list[int]:
        """Lines in each of the last `span` minutes, oldest first."""
        last = minute_of(now)
        return [self.minutes.get(m, 0) for m in range(last - span + 1, last + 1)]


class SignatureTable:
    """Signatures by template, the least recently seen dropped past `limit`."""

    def __init__(self, limit: int = LIMIT, *, keep_lines: bool = False) -> None:
        self.limit = limit
        self.keep_lines = keep_lines
        self.dropped = 0  # signatures let go to stay within the limit
        self.lines = 0
        self._table: OrderedDict[str, Signature] = OrderedDict()

    def add(
        self, message: str, at: datetime | None, group: str = "", line_no: int = 0
    ) -> Signature | None:
        """Count one line; the signature when this line is its first, else None. A line
        without a time (a file's) counts, and is the latest example of its signature."""
        key = mask(message)
        self.lines += 1
        table = self._table
        sig = table.get(key)
        minute = -1 if at is None else int(at.timestamp()) // 60
        if sig is None:
            minutes = {} if at is None else {minute: 1}
            sig = table[key] = Signature(key, 1, at, at, message, {group: 1}, minutes)
            if self.keep_lines and line_no:
                sig.lines.append(line_no)
            if len(table) > self.limit:
                table.popitem(last=False)
                self.dropped += 1
            return sig
        table.move_to_end(key)
        sig.count += 1
        sig.groups[group] = sig.groups.get(group, 0) + 1
        if self.keep_lines and line_no and len(sig.lines) < LINES_KEPT:
            sig.lines.append(line_no)
        if at is None:
            sig.example = message
            return None
        if sig.last_seen is None or at >= sig.last_seen:
            sig.last_seen = at
            sig.example = message
        if sig.first_seen is None or at < sig.first_seen:
            sig.first_seen = at
        minutes = sig.minutes
        minutes[minute] = minutes.get(minute, 0) + 1
        if len(minutes) > MINUTES:
            del minutes[min(minutes)]
        return None

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[Signature]:
        return iter(self._table.values())

    def get(self, key: str) -> Signature | None:
        return self._table.get(key)

    def rows(self, by: str = "count") -> list[Signature]:
        """Most lines first (`count`), or the newest first sighting first (`first`)."""
        if by == "first":
            return sorted(self._table.values(), key=_first_seen, reverse=True)
        return sorted(self._table.values(), key=lambda s: (-s.count, _first_seen(s)))


def _first_seen(sig: Signature) -> datetime:
    return sig.first_seen or _NO_TIME


def group_lines(lines: Iterable[tuple[str, datetime | None]], limit: int = LIMIT) -> SignatureTable:
    """A table of `(message, at)` pairs, numbered from 1 as they come (a file's lines)."""
    table = SignatureTable(limit, keep_lines=True)
    for number, (message, at) in enumerate(lines, start=1):
        table.add(message, at, line_no=number)
    return table
