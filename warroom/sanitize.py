"""Make outside text safe to store and show: no terminal control sequences, no secrets.

Log lines, health bodies and AWS messages pass through here before anything else sees them.
Markup is left as typed: the console renders these strings as plain text, never as Rich markup.

Secrets are redacted two ways: by shape (AWS keys, bearer tokens, passwords in URLs; `redact`)
and by value. Every secret the process reads from the environment is registered here
(`secret_from_env`; config loading registers what each `*_env` key names), and from then on
`redact_secrets` takes it out of any text, in whatever form a server echoes it: bare,
percent-encoded, JSON-escaped, inside a URL, or cut short. The journal's write path, the CLI's
output streams and `redact` (so `safe_line`) all consult it.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

MAX_LINE = 4096
REDACTED = "[redacted]"
# Shorter values are not redacted: real tokens are 20 to 100 characters, and replacing a 1-7
# character value everywhere would mangle ordinary words and numbers ("test" in every line).
MIN_SECRET = 8
# Pieces of a secret (a webhook URL's key segment, a bot token's half) stand alone when this
# long: shorter pieces are path words and ids ("services", "T0AB1CD2E") that are not secret.
MIN_PIECE = 16

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte ESC sequences, 8-bit CSI,
# then any remaining C0 or C1 control character except tab and newline.
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)

_SECRETS: tuple[tuple[re.Pattern[str], str], ...] = (
    # AWS access key ids (long-term AKIA, temporary ASIA, and the other documented prefixes).
    (
        re.compile(r"\b((?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{16})\b"),
        "[REDACTED-AWS-KEY]",
    ),
    # aws_secret_access_key = <40 chars>, in config dumps and env prints.
    (
        re.compile(r"(?i)(aws_secret_access_key\s*[=:]\s*[\"']?)[A-Za-z0-9/+=]{40}"),
        r"\1[REDACTED]",
    ),
    (
        re.compile(r"(?i)(authorization\s*[:=]\s*(?:bearer|basic|token)\s+)[^\s\"',;]+"),
        r"\1[REDACTED]",
    ),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*"), r"\1[REDACTED]"),
    # Passwords in URLs: scheme://user:password@host
    (
        re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]{0,30}://[^/\s:@]{0,256}:)[^/\s@]{1,256}@"),
        r"\1[REDACTED]@",
    ),
    (
        re.compile(
            r"(?i)\b(password|passwd|pwd|secret|api_key|apikey|token)(\s*[=:]\s*)[^\s&\"',;]+"
        ),
        r"\1\2[REDACTED]",
    ),
)


MAX_NAME = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """Lone surrogates (undecodable bytes in argv or the environment) as U+FFFD: they cannot be
    written as UTF-8 to a file, a terminal or a team channel."""
    return _SURROGATE.sub("\N{REPLACEMENT CHARACTER}", text)


def clean_name(text: str) -> str:
    """A person's name as it goes on every entry: one line of printable text, not too long."""
    return " ".join(strip_controls(valid_unicode(text)).split())[:MAX_NAME].strip()


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def redact(text: str) -> str:
    """Known secrets by value, then secret-looking strings by shape."""
    text = redact_secrets(text)
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def safe_line(raw: str | bytes, limit: int = MAX_LINE) -> str:
    """One log line fit for the screen and the journal: decoded, controls gone, tabs expanded,
    newlines folded, cut when very long, secrets redacted."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    # Lone surrogates (from a bad decode upstream) would break the terminal's UTF-8 output.
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    text = strip_controls(text).replace("\t", "    ").rstrip("\n")
    # Line and paragraph separators too: Log.write_lines splits on them, one line = one row.
    for newline in ("\n", "\u2028", "\u2029"):
        text = text.replace(newline, " ⏎ ")
    cut = max(0, len(text) - limit)
    # Redact a margin past the cut, so a secret across the cut is still seen, and no further:
    # the patterns stay linear in the kept length whatever the line's size. Redaction shortens
    # the text, so the window grows until the margin is still there after it: else the kept
    # part could reach a secret cut in two by the window's end.
    margin = max(300, max(map(len, _registry.forms), default=0))
    end = limit + margin
    redacted = redact(text[:end])
    while end < len(text) and len(redacted) < limit + margin:
        end *= 2
        redacted = redact(text[:end])
    text = redacted[:limit]
    return f"{text}… [cut {cut} chars]" if cut else text


# Secrets known by value ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Registry:
    secrets: frozenset[str] = frozenset()
    forms: tuple[str, ...] = ()  # every written form of every secret and piece, longest first
    # Cut short: the first MIN_SECRET characters, and the forms that start with them.
    heads: tuple[tuple[str, tuple[str, ...]], ...] = ()


_registry_lock = threading.Lock()
_registry = _Registry()


def register_secret(value: str | None) -> None:
    """From now on `value` is redacted from everything stored, printed or exported."""
    global _registry
    value = (value or "").strip()
    if len(value) < MIN_SECRET or value in _registry.secrets:
        return
    with _registry_lock:
        _registry = _build(_registry.secrets | {value})


def secret_from_env(name: str, env: Mapping[str, str] = os.environ) -> str:
    """Read a secret from the environment (stripped; "" when unset), registering it."""
    value = env.get(name, "").strip() if name else ""
    register_secret(value)
    return value


def known_secrets() -> frozenset[str]:
    return _registry.secrets


def forget_secrets() -> None:
    """Empty the registry (tests start from a process that knows nothing)."""
    global _registry
    with _registry_lock:
        _registry = _Registry()


def redact_secrets(text: str) -> str:
    """`text` with every known secret, in any of its forms, replaced by [redacted]."""
    registry = _registry  # one snapshot: another thread may register meanwhile
    if not text:
        return text
    for form in registry.forms:
        if form in text:
            text = text.replace(form, REDACTED)
    for head, forms in registry.heads:
        if head in text:
            text = _cut_short(text, head, forms)
    return text


def redact_data(value: Any) -> Any:
    """The same through a JSON-like structure (dict keys too)."""
    if isinstance(value, str):
        return redact_secrets(value)
    if isinstance(value, dict):
        return {redact_data(k): redact_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_data(v) for v in value)
    return value


def _cut_short(text: str, head: str, forms: tuple[str, ...]) -> str:
    """Each run of the first characters of one of `forms` (at least `head`, as long as it
    goes on matching the form it matches longest), as left by a length limit."""
    start = text.find(head)
    while start != -1:
        end = max(_common_prefix(text, start, form) for form in forms)
        text = text[:start] + REDACTED + text[end:]
        start = text.find(head, start + len(REDACTED))
    return text


def _common_prefix(text: str, start: int, form: str) -> int:
    end = start
    while end < len(text) and end - start < len(form) and text[end] == form[end - start]:
        end += 1
    return end


def _build(secrets: frozenset[str]) -> _Registry:
    """The literal forms to look for: plain `in` and `replace`, no regex to compile (one for
    every form of every character took a fifth of a second per secret)."""
    forms: set[str] = set()
    heads: dict[str, set[str]] = {}
    for secret in secrets:
        for piece, cut_short in _pieces(secret):
            written = _written(piece)
            forms |= written
            for form in written if cut_short else ():
                if len(form) >= MIN_PIECE:
                    heads.setdefault(form[:MIN_SECRET], set()).add(form)
    ordered = tuple(sorted(forms, key=lambda f: (-len(f), f)))
    cut = tuple((head, tuple(sorted(heads[head]))) for head in sorted(heads))
    return _Registry(secrets, ordered, cut)


def _pieces(secret: str) -> Iterator[tuple[str, bool]]:
    """The secret and the parts of it worth hiding alone; True: also when cut short (a run of
    its first MIN_SECRET characters or more, for one of at least MIN_PIECE). A URL's start is
    only its scheme and host, so a URL is hidden whole or by its long parts, never by its
    start."""
    try:
        parts = urlsplit(secret) if "://" in secret else None
    except ValueError:  # not a URL after all ("http://[" is a bad IPv6 address)
        parts = None
    if parts is None or not parts.netloc:
        # A short secret is not hidden by its start: "password1" would take every "password".
        yield secret, len(secret) >= MIN_PIECE
        for half in secret.split(":"):
            if len(half) >= MIN_PIECE and half != secret:
                yield half, True
        return
    yield secret, False
    for piece in (parts.path, parts.query, parts.fragment):
        if len(piece) >= MIN_PIECE:
            yield piece, False
    # A key in a path segment, a query value or the password: hidden also when cut short.
    keys = [*parts.path.split("/"), *(v for _, v in parse_qsl(parts.query)), parts.password]
    for key in keys:
        if key and len(key) >= MIN_PIECE:
            yield key, True


# Characters URL encoders leave alone besides letters, digits and "-._~": Python's quote (none,
# or "/"), JavaScript's encodeURIComponent and encodeURI.
_URL_SAFE = ("", "/", "!*'()", ";,/?:@&=+$!*'()#")


def _written(piece: str) -> set[str]:
    """How `piece` shows up in a server's answer: as is, percent-encoded (as each common encoder
    does it, upper- or lower-case hex, "+" for a space in a form), then each of those escaped
    as JSON (also "\\/" for "/", and "\\u0026" for "&" and the like, as Go does) or HTML."""
    encoded = {piece}
    for safe in _URL_SAFE:
        encoded |= {quote(piece, safe=safe), quote_plus(piece, safe=safe)}
    encoded |= {_PERCENT.sub(lambda m: m[0].lower(), e) for e in encoded}
    forms = set(encoded)
    for form in encoded:
        for escaped in {json.dumps(form)[1:-1], json.dumps(form, ensure_ascii=False)[1:-1]}:
            go = escaped.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            for variant in (escaped, go):
                forms |= {variant, variant.replace("/", "\\/")}
        forms.add(html.escape(form))
    return {f for f in forms if len(f) >= MIN_SECRET}


_PERCENT = re.compile(r"%[0-9A-F]{2}")


# What the CLI prints -------------------------------------------------------------------------


class RedactingStream(io.TextIOBase):
    """A text stream that takes known secrets out of everything written to it."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact_secrets(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._stream, "errors", None)


@contextmanager
def redacted_output() -> Iterator[None]:
    """stdout and stderr redacted while inside (usable as a decorator)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(saved[0]), RedactingStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
