"""Make outside text safe to store and show: no terminal control sequences, no secrets.

Log lines, health bodies and AWS messages pass through here before anything else sees them.
Markup is left as typed: the console renders these strings as plain text, never as Rich markup.
"""

from __future__ import annotations

import re

MAX_LINE = 4096

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
    # Redact a little past the cut, so a secret across the cut is still seen, and no further:
    # the patterns stay linear in the kept length whatever the line's size.
    text = redact(text[: limit + 300])[:limit]
    return f"{text}… [cut {cut} chars]" if cut else text
