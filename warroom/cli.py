"""The `warroom` command: one subcommand per job. The console (Textual) is imported lazily."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from warroom import __version__, commands, item_commands
from warroom.config import Config, ConfigError, db_path, load_config
from warroom.errors import JournalError, UserError
from warroom.followups import parse_deadline
from warroom.interrupts import run_command
from warroom.model import LOGGABLE_KINDS, parse_id, parse_kind, parse_number
from warroom.report import DEFAULT_SINCE, parse_since
from warroom.roles import parse_role
from warroom.sanitize import redacted_output
from warroom.service import WarRoom, open_war_room, runbook_for
from warroom.severity import SEVERITY_LEVELS, Severity
from warroom.timeutil import parse_duration, parse_instant

EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    """argparse that says what is wrong on one line and exits 2, without a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


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


@functools.cache
def build_parser() -> Parser:
    """The command line's parser, built once per process: parsing never changes it, and
    building it takes some 10 ms, more than a short command's own work."""
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
    # Accepted before or after the subcommand, with the same meaning (an observer's alias).
    common.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="refuse everything that changes something outside the journal: mitigations, "
        "posting updates, creating GitHub issues (the timeline still works)",
    )

    parser = Parser(
        prog="warroom",
        parents=[common],
        description="A terminal war-room console for on-call incident response.",
        epilog="Run `warroom COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = sub.add_parser("declare", parents=[common], help="declare an incident; prints its id")
    p.add_argument("--title", help="one line: what is broken (required without --from-alarm)")
    p.add_argument(
        "--from-alarm",
        metavar="NAME",
        help="declare from this CloudWatch alarm: its title, [alarms.severity], detected when "
        "it went to ALARM",
    )
    p.add_argument(
        "--severity",
        type=severity_arg,
        help="; ".join(f"{s.value}: {lvl.definition}" for s, lvl in SEVERITY_LEVELS.items()),
    )
    p.add_argument("--tenant", action="append", default=[], help="affected tenant (repeatable)")
    p.add_argument("--endpoint", action="append", default=[], help="affected endpoint (repeatable)")
    p.add_argument("--at", type=instant_arg, help="when it was detected (ISO 8601; default now)")
    p.add_argument("--note", default="", help="what fired: alarm name or user report")
    p.set_defaults(run=commands.cmd_declare)

    p = sub.add_parser("event", parents=[common], help="add an entry to an incident's timeline")
    p.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the one open incident)")
    p.add_argument("--at", type=instant_arg, help="when it happened (ISO 8601; default now)")
    p.add_argument(
        "kind", type=kind_arg, metavar="KIND", help=" ".join(k.value for k in LOGGABLE_KINDS)
    )
    p.add_argument("text", nargs="+", metavar="TEXT", help="what happened")
    p.set_defaults(run=commands.cmd_event)

    p = sub.add_parser(
        "retract", parents=[common], help="withdraw a timeline entry with a reason (kept, marked)"
    )
    p.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the one open incident)")
    p.add_argument(
        "entry",
        type=_arg(lambda t: parse_number(t, "entry number"), "entry number"),
        metavar="ENTRY",
        help="the entry number `event` prints (`show --json`: the event's id)",
    )
    p.add_argument("reason", nargs="+", metavar="REASON", help="why it is withdrawn")
    p.set_defaults(run=commands.cmd_retract)

    p = sub.add_parser("reopen", parents=[common], help="open a resolved incident again")
    p.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the one resolved last)")
    p.add_argument("reason", nargs="+", metavar="REASON", help="why: what came back")
    p.set_defaults(run=commands.cmd_reopen)

    p = sub.add_parser("severity", parents=[common], help="change an incident's severity")
    p.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the one open incident)")
    p.add_argument("severity", type=severity_arg, metavar="SEVERITY", help="SEV-1, SEV-2 or SEV-3")
    # A default keeps argparse from listing an optional `*` positional as required.
    p.add_argument("reason", nargs="*", default=[], metavar="REASON", help="why")
    p.set_defaults(run=commands.cmd_severity)

    p = sub.add_parser(
        "role", parents=[common], help="hand over incident commander or comms lead (logged)"
    )
    p.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the one open incident)")
    p.add_argument(
        "role",
        type=_arg(parse_role, "role"),
        metavar="ROLE",
        help="commander (the incident commander) or comms (the communications lead)",
    )
    p.add_argument("name", nargs="+", metavar="NAME", help="who takes it")
    p.set_defaults(run=commands.cmd_role)

    p = sub.add_parser("list", parents=[common], help="list incidents")
    p.add_argument("--json", action="store_true", help="print JSON")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--open", action="store_true", help="only open incidents")
    group.add_argument("--resolved", action="store_true", help="only resolved incidents")
    p.set_defaults(run=commands.cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one incident and its timeline")
    p.add_argument("incident", type=incident_arg, metavar="ID", help="INC-<n> or <n>")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=commands.cmd_show)

    p = sub.add_parser(
        "export", parents=[common], help="write an incident's post-mortem (Markdown)"
    )
    p.add_argument("incident", type=incident_arg, metavar="ID", help="INC-<n> or <n>")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    p.add_argument("--template", metavar="PATH", help="a Jinja2 template in place of the built-in")
    p.set_defaults(run=commands.cmd_export)

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
    p.set_defaults(run=commands.cmd_report)

    p = sub.add_parser(
        "check", parents=[common], help="probe every source once (exit 1 if any fails)"
    )
    p.set_defaults(run=None)  # no war room: a check does not create the journal

    p = sub.add_parser(
        "errors", parents=[common], help="error signatures of the log groups, or of a log file"
    )
    p.add_argument(
        "--since",
        type=_arg(parse_since, "duration"),
        default=parse_since("10m"),
        metavar="DURATION",
        help="lines of the last DURATION (default 10m)",
    )
    p.add_argument("--group", metavar="NAME", help="this log group only")
    p.add_argument("--from-file", metavar="FILE", help="a local log file's lines ('-': stdin)")
    p.add_argument(
        "--tenant",
        action="append",
        metavar="NAME",
        help="only lines that mention this tenant ([logs] tenant_pattern); may be repeated",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=None)  # no war room: reading logs creates no journal

    p = sub.add_parser(
        "update", parents=[common], help="the team-channel status update for the incident's phase"
    )
    p.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the open incident)")
    p.add_argument("--text", help="send this instead of the drafted message")
    p.add_argument("--post", action="store_true", help="post it (default: print the draft)")
    p.set_defaults(run=commands.cmd_update)

    p = sub.add_parser("outbox", help="status updates not sent yet: list, retry, discard")
    osub = p.add_subparsers(
        dest="outbox_command", metavar="list|retry|discard", parser_class=Parser
    )
    q = osub.add_parser("list", parents=[common], help="every unsent update and its last error")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(run=commands.cmd_outbox_list)
    q = osub.add_parser("retry", parents=[common], help="try every unsent update now")
    q.set_defaults(run=commands.cmd_outbox_retry)
    q = osub.add_parser("discard", parents=[common], help="never send this update")
    q.add_argument(
        "id",
        type=_arg(lambda t: parse_number(t, "message number"), "message number"),
        metavar="ID",
        help="the message number from `outbox list`",
    )
    q.set_defaults(run=commands.cmd_outbox_discard)

    p = sub.add_parser("mitigate", help="the runbook's mitigations: list, or run one")
    msub = p.add_subparsers(dest="mitigate_command", metavar="list|run", parser_class=Parser)
    q = msub.add_parser("list", parents=[common], help="every mitigation and its targets")
    q.set_defaults(run=commands.cmd_mitigate_list)
    q = msub.add_parser("run", parents=[common], help="preview, confirm, run and journal one")
    q.add_argument("name", metavar="NAME", help="see `warroom mitigate list`")
    q.add_argument("--target", help="what it acts on (default: the only one in the config)")
    q.add_argument("--value", help="e.g. a revision, a desired count, a provider")
    q.add_argument("--incident", type=incident_arg, help="INC-<n> (default: the open incident)")
    q.add_argument("--dry-run", action="store_true", help="show the plan and change nothing")
    q.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    q.set_defaults(run=commands.cmd_mitigate_run)

    p = sub.add_parser("action-items", help="post-mortem action items as backlog tasks")
    asub = p.add_subparsers(
        dest="action_items_command", metavar="list|export|add|done", parser_class=Parser
    )
    q = asub.add_parser("list", parents=[common], help="every incident's action items")
    q.add_argument("--open", action="store_true", help="only items not done")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(run=commands.cmd_action_items_list)
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
    q.set_defaults(run=commands.cmd_action_items_export)
    q = asub.add_parser("add", parents=[common], help="add an action item to an incident")
    q.add_argument("text", nargs="+", metavar="TEXT")
    q.add_argument(
        "--incident",
        type=incident_arg,
        help="INC-<n> (default: the open incident, else the post-mortem to write)",
    )
    q.add_argument("--owner", default="", metavar="NAME", help="who is on the hook for it")
    q.add_argument(
        "--deadline", type=_arg(parse_deadline, "deadline"), metavar="YYYY-MM-DD", default=None
    )
    q.set_defaults(run=item_commands.cmd_action_items_add)
    q = asub.add_parser("done", parents=[common], help="mark an action item done")
    q.add_argument("item", type=_arg(lambda t: parse_number(t, "item"), "item"), metavar="ITEM")
    q.set_defaults(run=item_commands.cmd_action_items_done)

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


# Entry point ------------------------------------------------------------------------------


def _fail(message: str, status: int) -> int:
    print(f"warroom: {message}", file=sys.stderr)
    return status


def _not_utf8(argv: Sequence[str]) -> str | None:
    """The first argument holding bytes that are not UTF-8 (Python keeps them as surrogates)."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return repr(arg.encode("utf-8", errors="surrogateescape"))[1:]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    # Text already in the journal may hold what a terminal cannot take; print it, never crash.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    with redacted_output():  # no secret the process knows is printed, whatever the command
        return _main(sys.argv[1:] if argv is None else argv)


def _main(argv: Sequence[str]) -> int:
    bad = _not_utf8(argv)
    if bad is not None:
        return _fail(f"argument {bad} is not valid UTF-8 text; nothing was done", EXIT_USAGE)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(getattr(args, "config", None))
        if getattr(args, "read_only", False):
            config = replace(config, read_only=True)
        runbook_for(config)  # a bad runbook file is a config error, reported before anything runs
        args.loaded_config = config
        args.db_path = db_path(config, getattr(args, "db", None))
        if args.command is None:
            from warroom.ui.app import run_console  # Textual loads only for the console

            return run_console(config, args.db_path)
        if args.command == "demo":
            from warroom.demo.runner import run_demo

            workdir = Path(args.workdir) if args.workdir else None
            return run_demo(
                args.scenario,
                args.fail_after.total_seconds(),
                workdir,
                serve=args.serve_only,
                list_only=args.list_scenarios,
            )
        if args.command == "check":
            return run_command(lambda: commands.cmd_check(config, args))
        if args.command == "declare" and args.from_alarm is None:
            given = (("--title", args.title), ("--severity", args.severity))
            missing = [option for option, value in given if value is None]
            if missing:  # before the journal is opened: a usage error creates nothing
                raise UserError(
                    f"declare: the following arguments are required: {', '.join(missing)}"
                    " (or --from-alarm NAME)"
                )
        if args.command == "errors":
            from warroom.errors_report import cmd_errors

            return run_command(lambda: cmd_errors(config, args))
        if args.command == "outbox" and args.outbox_command is None:
            raise UserError("outbox needs list, retry or discard (see warroom outbox --help)")
        if args.command == "mitigate" and args.mitigate_command is None:
            raise UserError("mitigate needs list or run (see warroom mitigate --help)")
        if args.command == "action-items" and args.action_items_command is None:
            raise UserError(
                "action-items needs list, export, add or done (see warroom action-items --help)"
            )
        return run_command(lambda: _run(args.run, config, args))
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
