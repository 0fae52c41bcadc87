"""`warroom errors`: the error signatures of the log groups over a window (read with the log
feed's own paging, within its FilterLogEvents budget), or of any log file's lines, as a table
or as JSON. No Textual, no journal."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from warroom.config import Config, LogGroupConfig
from warroom.deploys import Deploy, deploys_of, new_since
from warroom.errors import UserError
from warroom.sanitize import safe_line
from warroom.signatures import LIMIT, Signature, SignatureTable
from warroom.tenant_scope import tenant_regex
from warroom.timeutil import utcnow

# Lines read per group at most: a 10-minute flood can hold millions, and at 4 requests a second
# 100 pages of 1,000 take 25 s. Reading stops there and says so.
MAX_LINES_PER_GROUP = 100_000
# A file line's own time, when it starts with one (`aws logs tail` output, most app logs).
_STAMP = re.compile(
    r"^\s*(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d+))?\s?(Z|[+-]\d\d:?\d\d)?(?!\d)"
)


@dataclass
class ErrorsReport:
    table: SignatureTable
    covered_from: datetime | None  # where the lines read begin (None: a file)
    deploys: list[Deploy] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # a source that did not answer
    notes: list[str] = field(default_factory=list)  # a group read only in part
    with_lines: bool = False

    def new_since(self, sig: Signature) -> str | None:
        if self.covered_from is None:
            return None
        return new_since(sig.first_seen, self.deploys, self.covered_from, sig.groups)


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def signature_dict(report: ErrorsReport, sig: Signature) -> dict[str, Any]:
    row: dict[str, Any] = {
        "signature": sig.key,
        "count": sig.count,
        "groups": sorted(sig.groups),
        "first_seen": _iso(sig.first_seen),
        "last_seen": _iso(sig.last_seen),
        "example": sig.example,
        "distinctive": sig.distinctive,
        "new_since": report.new_since(sig),
    }
    if report.with_lines:
        row["lines"] = list(sig.lines)
    return row


def _hms(at: datetime | None) -> str:
    return "--:--:--" if at is None else at.astimezone(UTC).strftime("%H:%M:%S")


def format_text(report: ErrorsReport) -> str:
    """One block per signature, most lines first: count, first and last seen, groups, NEW
    since which revision, then what tells the error apart (exception first)."""
    rows = report.table.rows()
    if not rows:
        return "no matching lines"
    out = [f"{'COUNT':>7}  FIRST     LAST      GROUPS"]
    for sig in rows:
        new = report.new_since(sig)
        mark = f"  NEW since {new}" if new else ""
        groups = ", ".join(sorted(g for g in sig.groups if g)) or "-"
        out.append(f"{sig.count:>7}  {_hms(sig.first_seen)}  {_hms(sig.last_seen)}  {groups}{mark}")
        out.append(f"         {sig.distinctive}")
    lines = report.table.lines
    out.append(
        f"\n{len(rows)} signature{'s' * (len(rows) != 1)} in {lines} line{'s' * (lines != 1)}"
    )
    return "\n".join(out)


# Fetching ----------------------------------------------------------------------------------


async def window_report(
    config: Config,
    since: timedelta,
    group: str | None = None,
    *,
    only: re.Pattern[str] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> ErrorsReport:
    """Every configured group's lines of the last `since` (or just `group`), grouped, and the
    ECS deployments to say what is new since which. `only`: the lines it finds, no others."""
    from warroom.sources.aws import AwsClients
    from warroom.sources.ecs import EcsFeed
    from warroom.sources.logs import LogTailer
    from warroom.sources.status import describe_error

    groups = config.logs.groups
    if group is not None:
        groups = tuple(g for g in groups if g.name == group) or (LogGroupConfig(group),)
    logs = replace(config.logs, since=since, groups=groups)
    clients = AwsClients(config, connect_timeout=3, read_timeout=10)
    tailer = LogTailer(logs, clients, clock=clock)
    report = ErrorsReport(SignatureTable(LIMIT), covered_from=clock() - since)

    async def read(tail: Any) -> None:
        read_lines = 0
        while True:
            try:
                events = await tailer.fetch(tail)
            except Exception as exc:  # said, and the exit status says it too
                report.failures.append(f"{tail.group}: {describe_error(exc)}")
                return
            for event in events:
                message = safe_line(event.get("message", ""))
                if only is not None and only.search(message) is None:
                    continue
                at = datetime.fromtimestamp(event.get("timestamp", 0) / 1000, UTC)
                report.table.add(message, at, tail.group)
            read_lines += len(events)
            if not tail.token:
                return
            tail.initial = False
            if read_lines >= MAX_LINES_PER_GROUP:
                report.notes.append(
                    f"{tail.group}: stopped after {read_lines} lines; the window holds more "
                    "(use a shorter --since)"
                )
                return

    async def ecs() -> None:
        if config.ecs is not None:
            snapshot = await EcsFeed(config.ecs, clients).poll()
            if snapshot.source.ok:
                report.deploys = deploys_of(snapshot)
            else:
                report.failures.append(f"ECS {config.ecs.cluster}: {snapshot.source.reason}")

    await asyncio.gather(ecs(), *(read(t) for t in tailer.groups))
    return report


def _stamp(line: str) -> datetime | None:
    match = _STAMP.match(line)
    if match is None:
        return None
    day, clock, fraction, zone = match.groups()
    text = f"{day}T{clock}{'.' + fraction[:6] if fraction else ''}{_zone(zone)}"
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except ValueError:
        return None


def _zone(zone: str | None) -> str:
    if not zone or zone == "Z":
        return "+00:00"
    return zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"


def file_report(stream: TextIO, name: str, only: re.Pattern[str] | None = None) -> ErrorsReport:
    """Every line of a file (or standard input), numbered from 1, grouped; blank lines count
    for the numbering only. No ERROR filter: the file is what the user chose to look at; `only`
    (the tenants asked for) keeps the lines it finds."""
    table = SignatureTable(LIMIT, keep_lines=True)
    for number, raw in enumerate(stream, start=1):
        line = safe_line(raw.rstrip("\r\n"))
        if line.strip() and (only is None or only.search(line) is not None):
            table.add(line, _stamp(line), name, line_no=number)
    return ErrorsReport(table, covered_from=None, with_lines=True)


# The command -------------------------------------------------------------------------------


async def cmd_errors(config: Config, args: argparse.Namespace) -> int:
    """Exit 1 when a source did not answer (what the others gave is printed all the same)."""
    tenants = getattr(args, "tenant", None) or []
    only = tenant_regex(config.logs.tenant_pattern, tenants) if tenants else None
    if args.from_file is not None:
        report = _read_file(args.from_file, only)
    else:
        report = await window_report(config, args.since, args.group, only=only)
    for problem in report.failures + report.notes:
        print(f"warroom: {problem}", file=sys.stderr)
    if args.json:
        rows = [signature_dict(report, sig) for sig in report.table.rows()]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print(format_text(report))
    return 1 if report.failures else 0


def _read_file(path: str, only: re.Pattern[str] | None) -> ErrorsReport:
    if path == "-":
        return file_report(sys.stdin, "-", only)
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return file_report(stream, Path(path).name, only)
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
