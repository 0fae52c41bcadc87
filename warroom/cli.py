"""The `warroom` command: one subcommand per job. The console (Textual) is imported lazily."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from warroom import __version__
from warroom.config import Config, ConfigError, db_path, load_config, whoami
from warroom.errors import JournalError, UserError
from warroom.jsonview import incident_dict, summary_dict
from warroom.model import (
    LOGGABLE_KINDS,
    SEVERITY_LEVELS,
    Incident,
    IncidentSummary,
    OutboxMessage,
    Scope,
    Severity,
    Status,
    format_id,
    parse_id,
    parse_kind,
    postmortem_due,
)
from warroom.report import DEFAULT_SINCE, parse_since
from warroom.sanitize import redacted_output
from warroom.service import Delivery, WarRoom, open_war_room, runbook_for
from warroom.timeutil import iso, parse_duration, parse_instant, short_duration, utcnow

EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    """argparse that says `warroom: ...` and exits 2 on a bad argument, without a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _arg(parse: Callable[[str], Any], name: str) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


incident_arg = _arg(parse_id, "incident id")
severity_arg = _arg(Severity.parse, "severity")
instant_arg = _arg(parse_instant, "time")
kind_arg = _arg(parse_kind, "kind")


def build_parser() -> Parser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS keeps a subcommand from overwriting the same option given before it.
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="SQLite journal (default: $WARROOM_DB, the config's journal.db, the XDG data dir)",
    )
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file (default: $WARROOM_CONFIG, ./warroom.toml, the XDG config dir)",
    )

    parser = Parser(
        prog="warroom",
        parents=[common],
        description="A terminal war-room console for on-call incident response.",
        epilog="Run `warroom COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    parser.add_argument(
        "--read-only",
        action="store_true",
        dest="console_read_only",
        help="console: refuse every mitigation (the timeline still works)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("declare", parents=[common], help="declare an incident; prints its id")
    p.add_argument("--title", required=True, help="one line: what is broken")
    p.add_argument(
        "--severity",
        required=True,
        type=severity_arg,
        help="; ".join(f"{s.value}: {lvl.definition}" for s, lvl in SEVERITY_LEVELS.items()),
    )
    p.add_argument("--tenant", action="append", default=[], help="affected tenant (repeatable)")
    p.add_argument("--endpoint", action="append", default=[], help="affected endpoint (repeatable)")
    p.add_argument("--at", type=instant_arg, help="when it was detected (ISO 8601; default now)")
    p.add_argument("--note", default="", help="what fired: alarm name or user report")
    p.set_defaults(run=cmd_declare)

    p = sub.add_parser("event", parents=[common], help="add an entry to an incident's timeline")
    p.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the one open incident)")
    p.add_argument("--at", type=instant_arg, help="when it happened (ISO 8601; default now)")
    p.add_argument(
        "kind", type=kind_arg, metavar="KIND", help=" ".join(k.value for k in LOGGABLE_KINDS)
    )
    p.add_argument("text", nargs="+", metavar="TEXT", help="what happened")
    p.set_defaults(run=cmd_event)

    p = sub.add_parser("severity", parents=[common], help="change an incident's severity")
    p.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the one open incident)")
    p.add_argument("severity", type=severity_arg, metavar="SEVERITY", help="SEV-1, SEV-2 or SEV-3")
    p.add_argument("reason", nargs="*", help="why")
    p.set_defaults(run=cmd_severity)

    p = sub.add_parser("list", parents=[common], help="list incidents")
    p.add_argument("--json", action="store_true", help="print JSON")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--open", action="store_true", help="only open incidents")
    group.add_argument("--resolved", action="store_true", help="only resolved incidents")
    p.set_defaults(run=cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one incident and its timeline")
    p.add_argument("incident", type=incident_arg, metavar="ID", help="INC-<n> or <n>")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=cmd_show)

    p = sub.add_parser(
        "export", parents=[common], help="write an incident's post-mortem (Markdown)"
    )
    p.add_argument("incident", type=incident_arg, metavar="ID", help="INC-<n> or <n>")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    p.add_argument("--template", metavar="PATH", help="a Jinja2 template in place of the built-in")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser(
        "report", parents=[common], help="the quarterly review of the incident history"
    )
    p.add_argument(
        "--since",
        type=_arg(parse_since, "duration"),
        default=parse_since(DEFAULT_SINCE),
        metavar="DURATION",
        help=f"incidents detected within this long (default {DEFAULT_SINCE}; e.g. 48h, 2w)",
    )
    p.add_argument("--json", action="store_true", help="print JSON (default: Markdown)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser(
        "check", parents=[common], help="probe every source once (exit 1 if any fails)"
    )
    p.set_defaults(run=cmd_check)

    p = sub.add_parser(
        "update", parents=[common], help="the team-channel status update for the incident's phase"
    )
    p.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the open incident)")
    p.add_argument("--text", help="send this instead of the drafted message")
    p.add_argument("--post", action="store_true", help="post it (default: print the draft)")
    p.set_defaults(run=cmd_update)

    p = sub.add_parser("outbox", help="status updates not sent yet: list, retry, discard")
    osub = p.add_subparsers(
        dest="outbox_command", metavar="list|retry|discard", parser_class=Parser
    )
    q = osub.add_parser("list", parents=[common], help="every unsent update and its last error")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(run=cmd_outbox_list)
    q = osub.add_parser("retry", parents=[common], help="try every unsent update now")
    q.set_defaults(run=cmd_outbox_retry)
    q = osub.add_parser("discard", parents=[common], help="never send this update")
    q.add_argument("id", type=int, metavar="ID", help="the message number from `outbox list`")
    q.set_defaults(run=cmd_outbox_discard)

    p = sub.add_parser("mitigate", help="the runbook's mitigations: list, or run one")
    msub = p.add_subparsers(dest="mitigate_command", metavar="list|run", parser_class=Parser)
    q = msub.add_parser("list", parents=[common], help="every mitigation and its targets")
    q.set_defaults(run=cmd_mitigate_list)
    q = msub.add_parser("run", parents=[common], help="preview, confirm, run and journal one")
    q.add_argument("name", metavar="NAME", help="see `warroom mitigate list`")
    q.add_argument("--target", help="what it acts on (default: the only one in the config)")
    q.add_argument("--value", help="e.g. a revision, a desired count, a provider")
    q.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the open incident)")
    q.add_argument("--dry-run", action="store_true", help="show the plan and change nothing")
    q.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    q.add_argument("--read-only", action="store_true", help="refuse every action")
    q.set_defaults(run=cmd_mitigate_run)

    p = sub.add_parser("action-items", help="post-mortem action items as backlog tasks")
    asub = p.add_subparsers(dest="action_items_command", metavar="list|export", parser_class=Parser)
    q = asub.add_parser("list", parents=[common], help="every incident's action items")
    q.add_argument("--open", action="store_true", help="only items not done")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(run=cmd_action_items_list)
    q = asub.add_parser(
        "export", parents=[common], help="as CSV or JSON, or as GitHub issues labelled incident"
    )
    to = q.add_mutually_exclusive_group(required=True)
    to.add_argument("--format", choices=("csv", "json"), help="for any tracker")
    to.add_argument(
        "--github", metavar="OWNER/REPO", help="one issue per open item not yet linked to one"
    )
    q.add_argument("--open", action="store_true", help="only items not done")
    q.add_argument("-o", "--output", metavar="FILE", help="with --format (default: stdout)")
    q.add_argument("--dry-run", action="store_true", help="with --github: list, create nothing")
    q.set_defaults(run=cmd_action_items_export)

    p = sub.add_parser(
        "demo", help="open the console on a simulated production (no AWS account needed)"
    )
    p.add_argument("--scenario", default="bad-deploy", help="what goes wrong (--list-scenarios)")
    p.add_argument(
        "--fail-after",
        type=_arg(parse_duration, "duration"),
        default=timedelta(seconds=30),
        metavar="DURATION",
        help="when the failure starts (default 30s)",
    )
    p.add_argument(
        "--serve-only",
        action="store_true",
        help="run the world without the console and print how to use it",
    )
    p.add_argument("--list-scenarios", action="store_true", help="list the scenarios and exit")
    p.add_argument("--workdir", metavar="DIR", help="where the world keeps its files")
    p.set_defaults(run=None)
    return parser


# Commands ---------------------------------------------------------------------------------


async def cmd_declare(room: WarRoom, args: argparse.Namespace) -> int:
    incident_id = await room.declare(
        args.title,
        args.severity,
        scope=Scope(tuple(args.tenant), tuple(args.endpoint)),
        detected_at=args.at,
        note=args.note,
    )
    print(f"INC-{incident_id}")
    return 0


async def cmd_event(room: WarRoom, args: argparse.Namespace) -> int:
    event = await room.log(args.kind, " ".join(args.text), incident_id=args.incident, at=args.at)
    print(f"INC-{event.incident_id} {event.kind.value} at {_hms(event.at)} UTC (entry {event.id})")
    return 0


async def cmd_severity(room: WarRoom, args: argparse.Namespace) -> int:
    event = await room.change_severity(
        args.severity, incident_id=args.incident, reason=" ".join(args.reason)
    )
    if event is None:
        print(f"severity already {args.severity.value}; nothing logged")
    else:
        print(f"INC-{event.incident_id} severity {event.text}")
    return 0


async def cmd_list(room: WarRoom, args: argparse.Namespace) -> int:
    status = Status.OPEN if args.open else Status.RESOLVED if args.resolved else None
    incidents = await room.incidents(status)
    if args.json:
        print(json.dumps([summary_dict(i) for i in incidents], indent=2))
        return 0
    if not incidents:
        print("no incidents" if status is None else f"no {status.value} incidents")
        return 0
    now = utcnow()
    print(f"{'ID':<8} {'SEV':<6} {'STATUS':<9} {'DETECTED (UTC)':<17} {'AGE':>7}  TITLE")
    for item in incidents:
        print(_list_row(item, now))
    return 0


def _list_row(item: IncidentSummary, now: datetime) -> str:
    detected = item.detected_at or item.created_at
    end = item.resolved_at or now
    row = (
        f"{item.ref:<8} {item.severity.value:<6} {item.status.value:<9} "
        f"{detected:%Y-%m-%d %H:%M} {short_duration(end - detected):>7}  {item.title}"
    )
    due = postmortem_due(item.severity, item.resolved_at, item.postmortem_exported_at)
    if due.required and not due.done and due.due_at is not None:
        state = "OVERDUE" if due.overdue(now) else "due"
        row += f"  [post-mortem {state} {due.due_at:%Y-%m-%d %H:%M}]"
    return row


async def cmd_show(room: WarRoom, args: argparse.Namespace) -> int:
    incident = await room.incident(args.incident)
    if args.json:
        print(json.dumps(incident_dict(incident, room.runbook), indent=2, ensure_ascii=False))
        return 0
    print(_show_text(room, incident))
    return 0


def _show_text(room: WarRoom, incident: Incident) -> str:
    m = incident.milestones
    phase = room.runbook.current_phase(m)
    lines = [
        f"{incident.ref}  {incident.severity.value}  {incident.title}",
        f"status: {incident.status.value}   phase: {phase.name}",
        f"scope: {incident.scope.describe()}",
    ]
    durations = [
        (label, value)
        for label, value in (
            ("to acknowledge", m.time_to_acknowledge),
            ("to mitigate", m.time_to_mitigate),
            ("to resolve", m.time_to_resolve),
        )
        if value is not None
    ]
    if durations:
        lines.append("   ".join(f"{label}: {short_duration(v)}" for label, v in durations))
    lines.append("")
    lines.append("Timeline (UTC)")
    day = None
    for event in incident.events:
        if event.at.date() != day:
            day = event.at.date()
            lines.append(f"  {day.isoformat()}")
        who = "auto" if event.auto else event.author
        edited = " (edited)" if event.edited_at else ""
        text = event.text.replace("\n", "\n" + " " * 30)
        lines.append(f"  {_hms(event.at)}  {event.kind.value:<13} {text}  ({who}){edited}")
    if incident.action_items:
        lines.append("")
        lines.append("Action items")
        for item in incident.action_items:
            box = "[x]" if item.done else "[ ]"
            deadline = item.deadline.isoformat() if item.deadline else "no deadline"
            lines.append(f"  {box} {item.text} — {item.owner or 'unassigned'}, {deadline}")
    return "\n".join(lines)


async def cmd_export(room: WarRoom, args: argparse.Namespace) -> int:
    template = Path(args.template) if args.template else None
    if args.output:
        path = await room.export_postmortem(
            args.incident, output=Path(args.output), template=template
        )
        print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.write(await room.render_postmortem(args.incident, template))
    return 0


async def cmd_report(room: WarRoom, args: argparse.Namespace) -> int:
    from warroom.report import load_report, render_markdown

    report = await load_report(room.journal, now=room.now(), since=args.since)
    if args.json:
        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_markdown(report)
    _write_output(text, args.output, f"wrote {args.output}")
    return 0


def _write_output(text: str, output: str | None, said: str) -> None:
    """To stdout, or atomically to the file `--output` names (then `said` on stderr)."""
    from warroom.export import write_atomically

    if not output:
        sys.stdout.write(text)
        return
    try:
        write_atomically(Path(output), text)
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(said, file=sys.stderr)


async def cmd_check(room: WarRoom, args: argparse.Namespace) -> int:
    """Where everything is, then every source probed once. Exit 1 when any source fails."""
    from warroom.probe import format_table, probe_all

    config: Config = args.loaded_config
    steps = sum(len(p.steps) for p in room.runbook.phases)
    incidents = await room.incidents()
    open_count = sum(1 for i in incidents if i.status is Status.OPEN)
    print(f"config:  {config.source or 'none found; built-in defaults'}")
    print(f"journal: {args.db_path} ({len(incidents)} incidents, {open_count} open)")
    print(f"author:  {whoami(config)}")
    runbook = config.runbook.file or "built-in"
    print(f"runbook: {runbook} ({len(room.runbook.phases)} phases, {steps} steps)")
    results = await probe_all(config)
    print()
    if not results:
        print("no sources configured: add [[health.endpoints]], [ecs] and [[logs.groups]]")
        return 0
    print(format_table(results))
    failed = [r for r in results if not r.ok]
    print()
    print(f"{len(results) - len(failed)} of {len(results)} sources ok")
    return 1 if failed else 0


async def cmd_update(room: WarRoom, args: argparse.Namespace) -> int:
    text = args.text
    if text is None:
        draft = await room.draft_update(args.incident)
        text = draft.text
        if draft.missing:
            print(f"warroom: the draft still has {', '.join(draft.missing)}", file=sys.stderr)
    if not args.post:
        print(text)
        return 0
    deliveries = await room.post_update(text, incident_id=args.incident)
    for delivery in deliveries:
        _print_delivery(delivery)
    return 0 if all(d.ok for d in deliveries) else 1


def _print_delivery(delivery: Delivery) -> None:
    message, result = delivery.message, delivery.result
    if result is None:
        print(f"#{message.id} to {message.channel}: already sent or being sent elsewhere")
    elif result.ok:
        print(f"#{message.id} posted to {message.channel}: {result.detail}")
    else:
        retry = message.next_attempt_at.strftime("%H:%M:%S") if message.next_attempt_at else "-"
        print(
            f"warroom: #{message.id} not posted to {message.channel}: {result.detail}; kept in "
            f"the outbox, retried from {retry} UTC by a running console or `warroom outbox "
            f"retry`",
            file=sys.stderr,
        )


async def cmd_outbox_list(room: WarRoom, args: argparse.Namespace) -> int:
    messages = await room.outbox()
    if args.json:
        print(json.dumps([_outbox_json(m) for m in messages], indent=2, ensure_ascii=False))
        return 0
    if not messages:
        print("the outbox is empty: every update was sent or discarded")
        return 0
    for m in messages:
        retry = m.next_attempt_at.strftime("%H:%M:%S") if m.next_attempt_at else "-"
        first_line = m.text.splitlines()[0] if m.text else ""
        print(
            f"#{m.id}  {format_id(m.incident_id)}  {m.channel:<8}  tries {m.attempts}  "
            f"next {retry}  {m.last_error or 'not tried yet'}\n    {first_line}"
        )
    return 0


def _outbox_json(m: OutboxMessage) -> dict[str, Any]:
    return {
        "id": m.id,
        "incident": format_id(m.incident_id),
        "channel": m.channel,
        "text": m.text,
        "created_at": iso(m.created_at),
        "created_by": m.created_by,
        "attempts": m.attempts,
        "next_attempt_at": iso(m.next_attempt_at) if m.next_attempt_at else None,
        "last_error": m.last_error,
    }


async def cmd_outbox_retry(room: WarRoom, args: argparse.Namespace) -> int:
    deliveries = await room.retry_outbox_now()
    if not deliveries:
        print("the outbox is empty: nothing to retry")
    for delivery in deliveries:
        _print_delivery(delivery)
    return 0 if all(d.ok for d in deliveries) else 1


async def cmd_outbox_discard(room: WarRoom, args: argparse.Namespace) -> int:
    message = await room.discard_post(args.id)
    print(f"#{message.id} to {message.channel} discarded; it will not be sent")
    return 0


async def cmd_mitigate_list(room: WarRoom, args: argparse.Namespace) -> int:
    from warroom import actions

    config: Config = args.loaded_config
    situations = {a: m.situation for m in room.runbook.mitigations for a in m.actions}
    situations |= {
        "restore-app-client": "undoes disable-app-client",
        "unsuspend-tenant": "undoes suspend-tenant",
    }
    rows = []
    for name, action in actions.available(config).items():
        targets = ", ".join(action.candidates(config)) or f"--target {action.target_kind}"
        rows.append((name, situations.get(name, "team action"), targets, action.description))
    width = max(len(r[0]) for r in rows)
    for name, situation, targets, description in rows:
        print(f"{name:<{width}}  {description}")
        print(f"{'':<{width}}  situation: {situation}; targets: {targets}")
    if config.read_only:
        print("\nread-only mode is on in the config: every action will be refused")
    return 0


async def cmd_mitigate_run(room: WarRoom, args: argparse.Namespace) -> int:
    action, plan = await room.plan_action(args.name, args.target, args.value)
    print(plan.preview())
    if plan.refusal:
        raise UserError(plan.refusal)
    if args.dry_run:
        print("dry run: nothing changed")
        return 0
    if args.read_only or room.config.read_only:
        raise UserError(f"read-only mode: {plan.action} on {plan.target} refused")
    incident_id = await room.target(args.incident)  # refuse before asking, not after
    confirmation: str | bool
    if args.yes:
        confirmation = plan.confirmation_word if plan.confirm == "type" else True
    elif plan.confirm == "type":
        confirmation = input(f"type {plan.confirmation_word!r} to confirm: ").strip()
    else:
        confirmation = input("proceed? [y/N] ").strip().lower() in ("y", "yes")
        if not confirmation:
            print("not confirmed; nothing changed")
            return 1
    outcome, event = await room.run_action(
        action,
        plan,
        confirmation=confirmation,
        incident_id=incident_id,
        read_only=args.read_only,
    )
    print(f"INC-{event.incident_id} action: {event.text}")
    return 0 if outcome.ok else 1


async def cmd_action_items_list(room: WarRoom, args: argparse.Namespace) -> int:
    from warroom import backlog

    rows = await backlog.collect(room.journal, today=room.now().date(), open_only=args.open)
    if args.json:
        sys.stdout.write(backlog.to_json(rows))
    elif not rows:
        print("no open action items" if args.open else "no action items")
    else:
        print(backlog.format_table(rows))
    return 0


async def cmd_action_items_export(room: WarRoom, args: argparse.Namespace) -> int:
    from warroom import backlog

    if args.github is None:
        if args.dry_run:
            raise UserError("--dry-run goes with --github")
        rows = await backlog.collect(room.journal, today=room.now().date(), open_only=args.open)
        text = backlog.to_csv(rows) if args.format == "csv" else backlog.to_json(rows)
        _write_output(text, args.output, f"wrote {len(rows)} action items to {args.output}")
        return 0
    if args.output:
        raise UserError("--output goes with --format; --github writes to GitHub")
    repo = backlog.check_repo(args.github)
    rows = await backlog.collect(room.journal, today=room.now().date(), open_only=True)
    todo = backlog.pending(rows)
    if args.dry_run:
        for row in todo:
            title = backlog.issue_payload(row)["title"]
            print(f"would create: {row.incident_ref} item {row.item.id}: {title}")
        print(f"dry run: {len(todo)} issues would be created in {repo}; nothing changed")
        return 0
    if not todo:
        print(f"nothing to create in {repo}: every open action item has an issue")
        return 0
    config: Config = args.loaded_config
    token = backlog.read_token(config.github, repo)

    def report(result: backlog.IssueResult) -> None:
        where = f"{result.row.incident_ref} item {result.row.item.id}"
        if result.ok:
            print(f"created {where}: {result.url}", flush=True)
        else:
            print(f"warroom: {where}: {result.error}", file=sys.stderr, flush=True)

    run = await backlog.create_issues(
        room.journal, repo, rows, token=token, api_url=config.github.api_url, on_result=report
    )
    summary = f"{len(run.created)} issues created in {repo}"
    if run.failed:
        summary += f", {len(run.failed)} failed"
    if run.not_tried:
        summary += f", {len(run.not_tried)} not tried"
    print(summary + ("" if run.ok else "; run again to create the rest"))
    return 0 if run.ok else 1


def run_demo(args: argparse.Namespace) -> int:
    """The demo world, served alone or with the console on it (same code as production)."""
    from warroom import demo

    if args.list_scenarios:
        sys.stdout.write(demo.list_scenarios())
        return 0
    if args.scenario not in demo.SCENARIOS and args.scenario != "none":
        names = ", ".join(demo.SCENARIOS)
        raise UserError(f"unknown scenario {args.scenario!r}; use one of: {names}")
    fail_after = args.fail_after.total_seconds()
    workdir = Path(args.workdir) if args.workdir else None
    if args.serve_only:
        return demo.serve_only(args.scenario, fail_after, workdir)

    from warroom.ui.app import run_console

    workdir = workdir or demo.new_workdir()
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        log = (workdir / "demo.log").open("a", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot use {workdir} for the demo: {exc.strerror}") from None

    def note(line: str) -> None:  # the console owns the terminal: world chatter goes to a file
        log.write(f"{utcnow():%H:%M:%S} {line}\n")
        log.flush()

    world = demo.DemoWorld(args.scenario, fail_after, workdir, events=note, errors=note)
    try:
        world.start()
        assert world.config_path is not None
        config = load_config(str(world.config_path))
        # The world's own journal, whatever $WARROOM_DB says: demo entries stay in the demo.
        code = run_console(config, config.resolve_path(config.journal.db))
    finally:
        world.stop()
        log.close()
    print(f"demo files kept in {workdir} (config, journal, post-mortems, demo.log)")
    return code


# Entry point ------------------------------------------------------------------------------


def _hms(value: datetime) -> str:
    return value.strftime("%H:%M:%S")


def _fail(message: str, status: int) -> int:
    print(f"warroom: {message}", file=sys.stderr)
    return status


@redacted_output()  # no secret the process knows is printed, whatever the command
def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(getattr(args, "config", None))
        runbook_for(config)  # a bad runbook file is a config error, reported before anything runs
        args.loaded_config = config
        args.db_path = db_path(config, getattr(args, "db", None))
        if args.command is None:
            from warroom.ui.app import run_console  # Textual loads only for the console

            return run_console(config, args.db_path, read_only=args.console_read_only)
        if args.command == "demo":
            return run_demo(args)
        if args.command == "outbox" and args.outbox_command is None:
            raise UserError("outbox needs list, retry or discard (see warroom outbox --help)")
        if args.command == "mitigate" and args.mitigate_command is None:
            raise UserError("mitigate needs list or run (see warroom mitigate --help)")
        if args.command == "action-items" and args.action_items_command is None:
            raise UserError("action-items needs list or export (see warroom action-items --help)")
        return asyncio.run(_run(args.run, config, args))
    except ConfigError as exc:
        return _fail(f"config error: {exc}", EXIT_USAGE)
    except UserError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except JournalError as exc:
        return _fail(str(exc), 1)
    except (KeyboardInterrupt, EOFError):
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`); nothing to report
        return 0


async def _run(
    command: Callable[[WarRoom, argparse.Namespace], Awaitable[int]],
    config: Config,
    args: argparse.Namespace,
) -> int:
    async with await open_war_room(config, args.db_path) as room:
        return await command(room, args)
